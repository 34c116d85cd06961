use super::*;
use std::io::Write;

fn read_default(name: &str, bytes: &[u8]) -> Result<Table, ReadError> {
    read(name, bytes, Encoding::Detect, &Limits::default())
}

const CSV: &str = "サービス名,提供者,利用開始日\n会議サービス,株式会社テスト,令和元年5月1日\n\n文書共有,\"株式会社, 共有\",2019-04-30\n,,\n";

#[test]
fn utf8_csv_with_or_without_a_byte_order_mark() {
    for bytes in [
        CSV.as_bytes().to_vec(),
        [b"\xEF\xBB\xBF".as_slice(), CSV.as_bytes()].concat(),
    ] {
        let t = read_default("services.csv", &bytes).expect("read");
        assert_eq!(t.format, Format::Csv(Encoding::Utf8));
        assert_eq!(t.headers, ["サービス名", "提供者", "利用開始日"]);
        assert_eq!(t.rows.len(), 2, "blank rows are no rows");
        assert_eq!(
            t.rows[0].cells,
            ["会議サービス", "株式会社テスト", "令和元年5月1日"]
        );
        assert_eq!(t.rows[1].cells[1], "株式会社, 共有");
        assert_eq!(t.rows[0].number, 2);
        assert_eq!(t.rows[1].number, 4, "numbered by the file's own lines");
    }
}

#[test]
fn shift_jis_csv_is_detected_or_chosen() {
    let (sjis, _, bad) = encoding_rs::SHIFT_JIS.encode(CSV);
    assert!(!bad);
    let t = read_default("services.csv", &sjis).expect("read");
    assert_eq!(t.format, Format::Csv(Encoding::ShiftJis));
    assert_eq!(t.rows[0].cells[0], "会議サービス");
    let t = read("x.csv", &sjis, Encoding::ShiftJis, &Limits::default()).expect("read");
    assert_eq!(t.headers[0], "サービス名");
    // Chosen as UTF-8, Shift_JIS bytes are refused, not read as mojibake.
    assert_eq!(
        read("x.csv", &sjis, Encoding::Utf8, &Limits::default()),
        Err(ReadError::Encoding)
    );
}

#[test]
fn xlsx_is_read_as_values_with_dates_and_whole_numbers() {
    use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Formula, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = XFormat::new().set_num_format("yyyy-mm-dd");
    sheet.write_string(1, 0, "サービス名").expect("cell");
    sheet.write_string(1, 1, "利用開始日").expect("cell");
    sheet.write_string(1, 2, "件数").expect("cell");
    sheet.write_string(2, 0, "会議サービス").expect("cell");
    let d = ExcelDateTime::from_ymd(2019, 5, 1).expect("date");
    sheet
        .write_datetime_with_format(2, 1, &d, &date)
        .expect("cell");
    sheet.write_number(2, 2, 12.0).expect("cell");
    // A formula is read as the value saved with it, never run.
    sheet
        .write_formula(
            3,
            0,
            Formula::new("=HYPERLINK(\"http://x\")").set_result("計算済み"),
        )
        .expect("cell");
    let bytes = book.save_to_buffer().expect("xlsx");
    let t = read_default("services.xlsx", &bytes).expect("read");
    assert_eq!(t.format, Format::Xlsx);
    assert_eq!(t.headers, ["サービス名", "利用開始日", "件数"]);
    assert_eq!(t.rows[0].cells, ["会議サービス", "2019-05-01", "12"]);
    assert_eq!(t.rows[1].cells[0], "計算済み");
    assert_eq!(
        t.rows[0].number, 3,
        "the header sits on the sheet's second row"
    );
}

#[test]
fn what_is_not_a_spreadsheet_is_refused() {
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
    assert_eq!(
        read_default("logo.png", png),
        Err(ReadError::NotSpreadsheet)
    );
    assert_eq!(
        read_default("a.xlsx", b"plain text"),
        Err(ReadError::NotSpreadsheet)
    );
    assert_eq!(read_default("a.csv", b""), Err(ReadError::Empty));
    assert_eq!(read_default("a.csv", b"\n,,\n"), Err(ReadError::Empty));
    // An encrypted workbook is an OLE container, as an old .xls is.
    let mut ole = OLE_MAGIC.to_vec();
    ole.extend_from_slice(&[0; 512]);
    assert_eq!(read_default("secret.xlsx", &ole), Err(ReadError::Encrypted));
    // A zip of something else.
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file("readme.txt", zip::write::SimpleFileOptions::default())
        .expect("entry");
    w.write_all(b"hello").expect("write");
    let other = w.finish().expect("zip").into_inner();
    assert_eq!(
        read_default("other.xlsx", &other),
        Err(ReadError::NotSpreadsheet)
    );
}

#[test]
fn a_zip_bomb_and_a_large_file_are_refused_before_reading() {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file(
        "[Content_Types].xml",
        zip::write::SimpleFileOptions::default(),
    )
    .expect("entry");
    w.write_all(&vec![0u8; 5 * 1024 * 1024]).expect("write");
    let bomb = w.finish().expect("zip").into_inner();
    assert!(bomb.len() < 100 * 1024, "{}", bomb.len());
    assert_eq!(read_default("bomb.xlsx", &bomb), Err(ReadError::ZipBomb));
    let small = Limits {
        max_bytes: 10,
        ..Limits::default()
    };
    assert_eq!(
        read("a.csv", CSV.as_bytes(), Encoding::Detect, &small),
        Err(ReadError::TooLarge)
    );
    assert_eq!(
        read_bounded(CSV.as_bytes(), &small),
        Err(ReadError::TooLarge)
    );
    let few = Limits {
        max_rows: 1,
        ..Limits::default()
    };
    assert_eq!(
        read("a.csv", CSV.as_bytes(), Encoding::Detect, &few),
        Err(ReadError::TooManyRows)
    );
}

#[test]
fn columns_are_named_as_the_spreadsheet_names_them() {
    assert_eq!(column_name(0), "A");
    assert_eq!(column_name(25), "Z");
    assert_eq!(column_name(26), "AA");
    assert_eq!(column_name(701), "ZZ");
    assert_eq!(column_name(702), "AAA");
}

#[test]
fn every_refusal_has_a_message_in_both_languages() {
    use crate::i18n::{Lang, Tr, error_msg};
    for e in [
        ReadError::TooLarge,
        ReadError::NotSpreadsheet,
        ReadError::Encrypted,
        ReadError::ZipBomb,
        ReadError::Encoding,
        ReadError::TooManyRows,
        ReadError::TooManyColumns,
        ReadError::Empty,
        ReadError::Unreadable,
    ] {
        assert_ne!(error_msg(e.code()), crate::i18n::Msg::ErrorUnknown, "{e:?}");
        for lang in [Lang::Ja, Lang::En] {
            assert!(!Tr::new(lang).error(e.code()).is_empty());
        }
        assert_eq!(e.to_string(), e.code());
    }
    assert_ne!(
        error_msg("import_column_twice"),
        crate::i18n::Msg::ErrorUnknown
    );
}

#[test]
fn a_far_away_cell_is_refused_not_laid_out() {
    use rust_xlsxwriter::Workbook;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "サービス名").expect("cell");
    sheet.write_string(1_048_575, 16_383, "遠く").expect("cell");
    let bytes = book.save_to_buffer().expect("xlsx");
    assert!(bytes.len() < 20_000);
    assert_eq!(
        read_default("far.xlsx", &bytes),
        Err(ReadError::TooManyColumns)
    );
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "サービス名").expect("cell");
    sheet.write_string(1_048_575, 0, "遠く").expect("cell");
    let bytes = book.save_to_buffer().expect("xlsx");
    let t = read_default("far.xlsx", &bytes).expect("two cells are two rows");
    assert_eq!(t.rows.len(), 1);
    assert_eq!(t.rows[0].number, 1_048_576);
}

#[test]
fn old_mac_line_endings_count_as_lines() {
    let t =
        read_default("mac.csv", "名前,提供者\r会議,A社\r\r文書,B社\r".as_bytes()).expect("read");
    let numbers: Vec<usize> = t.rows.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [2, 4]);
}
