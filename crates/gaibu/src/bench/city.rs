//! The city's random content: names of units, services and providers, and what becomes of each
//! service. Everything here is decided by (seed, service number) alone.

use super::Cast;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// How big the org tree is for a number of services: about 200 services a section at 50,000.
pub struct Shape {
    pub bureaus: usize,
    pub departments: usize,
    pub sections: usize,
}

impl Shape {
    pub fn for_services(n: usize) -> Shape {
        if n < 1000 {
            Shape {
                bureaus: 2,
                departments: 2,
                sections: 2,
            }
        } else {
            Shape {
                bureaus: n.div_ceil(2500).clamp(3, BUREAUS.len()),
                departments: 3,
                sections: 4,
            }
        }
    }
}

const BUREAUS: [(&str, &str); 20] = [
    ("総務局", "General Affairs"),
    ("市民局", "Citizens"),
    ("財政局", "Finance"),
    ("企画調整局", "Planning"),
    ("健康局", "Health"),
    ("福祉局", "Welfare"),
    ("こども家庭局", "Children and Families"),
    ("環境局", "Environment"),
    ("経済観光局", "Economy and Tourism"),
    ("建設局", "Construction"),
    ("都市局", "Urban Planning"),
    ("港湾局", "Port and Harbor"),
    ("水道局", "Waterworks"),
    ("交通局", "Transportation"),
    ("消防局", "Fire"),
    ("教育委員会事務局", "Board of Education"),
    ("文化スポーツ局", "Culture and Sports"),
    ("危機管理室", "Crisis Management"),
    ("会計室", "Accounting"),
    ("議会事務局", "City Council Secretariat"),
];

const DEPARTMENTS: [(&str, &str); 6] = [
    ("企画部", "Planning"),
    ("管理部", "Administration"),
    ("事業部", "Operations"),
    ("推進部", "Promotion"),
    ("調整部", "Coordination"),
    ("支援部", "Support"),
];

const SECTIONS: [(&str, &str); 8] = [
    ("庶務課", "General Affairs"),
    ("企画課", "Planning"),
    ("情報課", "Information"),
    ("相談課", "Consultation"),
    ("広報課", "Public Relations"),
    ("事業課", "Operations"),
    ("調査課", "Research"),
    ("窓口課", "Counter Services"),
];

pub fn bureau_name(b: usize) -> (String, String) {
    let (ja, en) = BUREAUS[b % BUREAUS.len()];
    (ja.into(), format!("{en} Bureau"))
}

pub fn department_name(b: usize, d: usize) -> (String, String) {
    let (ja, en) = DEPARTMENTS[(b + d) % DEPARTMENTS.len()];
    let (bja, ben) = BUREAUS[b % BUREAUS.len()];
    (format!("{bja}{ja}"), format!("{ben} {en} Department"))
}

pub fn section_name(b: usize, d: usize, s: usize) -> (String, String) {
    let (ja, en) = SECTIONS[(b * 3 + d * 2 + s) % SECTIONS.len()];
    let (dja, den) = DEPARTMENTS[(b + d) % DEPARTMENTS.len()];
    let bja = BUREAUS[b % BUREAUS.len()].0;
    (
        format!("{bja}{dja}{ja}"),
        format!("{en} Section ({den}, bureau {})", b + 1),
    )
}

/// Kinds of service, with what the search and the catalogue look for (e.g. 会議).
const KINDS: [(&str, &str); 16] = [
    ("Web会議", "庁外の関係者とのオンライン会議"),
    ("ファイル共有", "庁外の関係者とのファイルの受け渡し"),
    ("オンラインストレージ", "業務資料の保管と共有"),
    ("アンケート作成", "市民向けアンケートの作成と集計"),
    ("電子申請", "市民からの申請の受付"),
    ("ビジネスチャット", "職員間・事業者との連絡"),
    ("地図作成", "施設案内地図の作成と公開"),
    ("翻訳", "外国語の案内文の翻訳"),
    ("動画配信", "説明会・講座の動画配信"),
    ("電子契約", "契約書の締結と保管"),
    ("オンライン予約", "施設・窓口の予約受付"),
    ("メール配信", "市民・事業者へのお知らせ配信"),
    ("タスク管理", "プロジェクトの進捗管理"),
    ("会議録作成", "会議の音声からの議事録作成"),
    ("グループウェア", "スケジュールと文書の共有"),
    ("生成AI", "文書の下書きと要約"),
];

const PROVIDER_HEADS: [&str; 12] = [
    "アオバ",
    "サクラ",
    "ミナト",
    "ヒカリ",
    "ツバサ",
    "カエデ",
    "ハヤテ",
    "イロハ",
    "ソラ",
    "ミドリ",
    "アサヒ",
    "ホシ",
];
const PROVIDER_TAILS: [&str; 10] = [
    "クラウド",
    "ネット",
    "システムズ",
    "テック",
    "ソリューションズ",
    "データ",
    "リンク",
    "ウェア",
    "サービス",
    "ラボ",
];

/// What becomes of one service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Class 1, self-approved and in operation, with official accounts.
    Class1InOperation,
    /// Class 1, in the ledger, then retired.
    Class1Retired,
    /// Class 1, approved but not yet in the ledger.
    Class1Unregistered,
    /// Class 2, approved by the ISM, in the ledger with half its build-time measures.
    Class2Building,
    /// Class 2, every measure recorded, in operation.
    Class2InOperation,
    /// Class 2, its re-check failed and its correction failed: its use is stopped.
    Class2Suspended,
    /// Class 2, terminated: accepted, ledger and register ended, data disposed of.
    Class2Terminated,
}

/// What happens to a class-2 service in operation after it went into operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    Nothing,
    /// A periodic check recorded `days_ago`.
    Checked,
    /// A re-check after an event, judged compliant.
    RecheckCompliant,
    /// A re-check judged not compliant, its corrective action open.
    ActionOpen,
}

/// One service's plan, drawn from its own random stream.
#[derive(Debug, Clone)]
pub struct Plan {
    pub number: usize,
    pub kind: Kind,
    pub after: After,
    pub section: usize,
    pub name: String,
    pub provider: String,
    pub purpose: String,
    /// Days before today on which it started (period, registration).
    pub started_days_ago: i64,
    /// Days before today of a periodic check, event or end.
    pub event_days_ago: i64,
    /// Official accounts to register.
    pub accounts: usize,
    /// Evidence files attached to the application; `Some(days)` makes the first a certificate
    /// expiring in `days` (negative: expired).
    pub evidence: usize,
    pub certificate_expires_in: Option<i64>,
    pub in_scope: bool,
    /// Extra applications made beside it: a staff draft, a class-2 one waiting for review, one
    /// returned by the ISM.
    pub draft: bool,
    pub waiting: bool,
    pub returned: bool,
}

pub fn plan(seed: u64, number: usize, cast: &Cast) -> Plan {
    let mut rng =
        ChaCha8Rng::seed_from_u64(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ number as u64);
    let kind = match rng.gen_range(0..100) {
        0..40 => Kind::Class1InOperation,
        40..45 => Kind::Class1Retired,
        45..48 => Kind::Class1Unregistered,
        48..58 => Kind::Class2Building,
        58..88 => Kind::Class2InOperation,
        88..93 => Kind::Class2Suspended,
        _ => Kind::Class2Terminated,
    };
    let after = match rng.gen_range(0..100) {
        0..30 => After::Checked,
        30..45 => After::RecheckCompliant,
        45..55 => After::ActionOpen,
        _ => After::Nothing,
    };
    // Small numbers see every kind, so that a tiny city (a test, CI's smoke run) has them all.
    let kind = match number {
        0 => Kind::Class1InOperation,
        1 => Kind::Class2InOperation,
        2 => Kind::Class2Building,
        3 => Kind::Class2Suspended,
        4 => Kind::Class2Terminated,
        5 => Kind::Class1Retired,
        6 => Kind::Class1Unregistered,
        7 | 8 => Kind::Class2InOperation,
        _ => kind,
    };
    let after = match number {
        1 => After::Checked,
        7 => After::RecheckCompliant,
        8 => After::ActionOpen,
        _ => after,
    };
    let section = rng.gen_range(0..cast.sections.len());
    let (what, purpose) = KINDS[rng.gen_range(0..KINDS.len())];
    let provider_no = rng.gen_range(0..PROVIDER_HEADS.len() * PROVIDER_TAILS.len() * 4);
    let head = PROVIDER_HEADS[provider_no % PROVIDER_HEADS.len()];
    let tail = PROVIDER_TAILS[(provider_no / PROVIDER_HEADS.len()) % PROVIDER_TAILS.len()];
    let provider = match provider_no / (PROVIDER_HEADS.len() * PROVIDER_TAILS.len()) {
        0 => format!("株式会社{head}{tail}"),
        1 => format!("{head}{tail}株式会社"),
        2 => format!("{head}{tail}合同会社"),
        _ => format!("{head}{tail}ジャパン株式会社"),
    };
    let section_name = &cast.sections[section].name_ja;
    let name = format!("{what}サービス（{section_name}・{:05}）", number + 1);
    let started_days_ago = rng.gen_range(60..2500);
    let event_days_ago = rng.gen_range(0..400).min(started_days_ago - 30);
    let accounts = match kind {
        Kind::Class1InOperation | Kind::Class2InOperation | Kind::Class2Terminated => {
            rng.gen_range(0..4)
        }
        _ => 0,
    };
    let accounts = if number == 0 {
        accounts.max(1)
    } else {
        accounts
    };
    let evidence = if number == 0 || rng.gen_range(0..100) < 15 {
        1
    } else {
        0
    };
    let certificate_expires_in =
        (evidence > 0 && (number == 0 || rng.gen_bool(0.5))).then(|| rng.gen_range(-30..365));
    Plan {
        number,
        kind,
        after,
        section,
        name,
        provider,
        purpose: purpose.into(),
        started_days_ago,
        event_days_ago,
        accounts,
        evidence,
        certificate_expires_in,
        in_scope: rng.gen_range(0..100) < 80,
        draft: number % 20 == 19,
        waiting: number % 25 == 12,
        returned: number % 50 == 37,
    }
}
