//! Fuzzing `read` and `has_fields_table` with proptest: real documents with
//! bytes mutated, real documents with their XML mutated and re-zipped, and
//! random packages whose XML is drawn from WordprocessingML's own
//! vocabulary (cyclic styles, dangling relationships, runaway spans...).
//! Every case must return, without panicking, in bounded time.

use crate::docx_support as common;

use std::io::{Cursor, Read, Write};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use khao::docx::Limits;
use proptest::prelude::*;
use zip::write::SimpleFileOptions;

const SEEDS: &[&str] = &[
    "good.docx",
    "lo-roundtrip.docx",
    "word-features.docx",
    "emf.docx",
    "lo-html.docx",
];

/// A document's parts: (name, bytes).
type Parts = Vec<(String, Vec<u8>)>;

/// Each seed's parts, unzipped once, without the parts the reader never
/// opens (themes, settings, thumbnails) and without python-docx's 300 KB of
/// latent style definitions, so that each case is cheap.
fn seeds() -> &'static Vec<Parts> {
    static SEEDS_UNZIPPED: OnceLock<Vec<Parts>> = OnceLock::new();
    SEEDS_UNZIPPED.get_or_init(|| {
        let needed = |n: &str| {
            n.ends_with(".rels")
                || n.starts_with("word/media/")
                || n.starts_with("[Content")
                || ["word/document.xml", "word/styles.xml", "word/numbering.xml"].contains(&n)
        };
        SEEDS
            .iter()
            .map(|name| {
                let mut parts = unzip(&common::fixture(name));
                parts.retain(|(n, _)| needed(n));
                let document = parts
                    .iter()
                    .find(|(n, _)| n == "word/document.xml")
                    .map(|(_, d)| d.clone());
                let document = String::from_utf8_lossy(&document.unwrap_or_default()).to_string();
                for (n, data) in &mut parts {
                    if n == "word/styles.xml" {
                        *data = used_styles_only(data, &document);
                    }
                }
                parts
            })
            .collect()
    })
}

/// styles.xml with only the `w:style` blocks the document names (python-
/// docx ships 160 styles in 340 KB; parsing them dominates each case).
fn used_styles_only(xml: &[u8], document: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(xml).to_string();
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("<w:style ") {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find("</w:style>") else {
            break;
        };
        let block = &rest[start..start + len + "</w:style>".len()];
        let id = block
            .split("w:styleId=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_default();
        if document.contains(&format!("w:val=\"{id}\"")) {
            out.push_str(block);
        }
        rest = &rest[start + block.len()..];
    }
    out.push_str(rest);
    out.into_bytes()
}

fn unzip(bytes: &[u8]) -> Parts {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("seed fixture is a zip");
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).expect("seed entry");
            let mut data = Vec::new();
            f.read_to_end(&mut data).expect("seed entry data");
            (f.name().expect("seed entry name").to_string(), data)
        })
        .collect()
}

fn rezip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in parts {
        // Duplicate names from a mutation are simply skipped.
        if zip.start_file(name.as_str(), options).is_ok() {
            zip.write_all(data).expect("write to memory");
        }
    }
    zip.finish().expect("finish in memory").into_inner()
}

/// Reads with small limits too, so limit paths are fuzzed as well, and
/// checks what a successful read promises.
fn check(bytes: &[u8]) {
    let start = Instant::now();
    let small = Limits {
        max_part_bytes: 4096,
        max_total_bytes: 1 << 20,
        max_entries: 12,
        max_xml_depth: 12,
    };
    for limits in [Limits::default(), small] {
        if let Ok(doc) = khao::docx::read(bytes, &limits) {
            invariants(&doc);
        }
        let _ = khao::docx::has_fields_table(bytes, &limits);
    }
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "slow case: {:?}",
        start.elapsed()
    );
}

fn invariants(doc: &khao::docx::Document) {
    assert_eq!(
        doc.body_lines.len(),
        doc.body.lines().count(),
        "{}",
        doc.body
    );
    assert!(doc.body.is_empty() || doc.body.ends_with('\n'));
    assert!(
        doc.body_lines.windows(2).all(|w| w[0] <= w[1]),
        "lines in document order"
    );
    let mut names: Vec<&str> = doc.pictures.iter().map(|p| p.file_name.as_str()).collect();
    names.dedup();
    assert_eq!(names.len(), doc.pictures.len());
    assert!(names.iter().all(|n| n.is_ascii() && !n.contains('/')));
    assert!(
        doc.findings
            .windows(2)
            .all(|w| w[0].paragraph() <= w[1].paragraph())
    );
    assert!(doc.fields.iter().all(|f| f.row >= 1));
}

#[derive(Debug, Clone)]
enum Mutation {
    Set(usize, u8),
    Remove(usize, usize),
    Duplicate(usize, usize),
    Insert(usize, &'static str),
}

fn mutate(data: &mut Vec<u8>, m: &Mutation) {
    if data.is_empty() {
        return;
    }
    let at = |i: usize| i % data.len();
    match *m {
        Mutation::Set(i, b) => {
            let i = at(i);
            data[i] = b;
        }
        Mutation::Remove(i, n) => {
            let i = at(i);
            let end = (i + n).min(data.len());
            data.drain(i..end);
        }
        Mutation::Duplicate(i, n) => {
            let i = at(i);
            let end = (i + n).min(data.len());
            let copy = data[i..end].to_vec();
            data.splice(i..i, copy);
        }
        Mutation::Insert(i, s) => {
            let i = at(i);
            data.splice(i..i, s.bytes());
        }
    }
}

/// Fragments that matter to the reader, for XML-level mutations.
const FRAGMENTS: &[&str] = &[
    "<w:p>",
    "</w:p>",
    "<w:r>",
    "</w:r>",
    "<w:t>",
    "</w:t>",
    "<w:tbl>",
    "</w:tbl>",
    "<w:tr>",
    "<w:tc>",
    "</w:tc>",
    "<w:br/>",
    "<w:tab/>",
    "<w:b/>",
    "<w:i w:val=\"0\"/>",
    "<w:fldChar w:fldCharType=\"begin\"/>",
    "<w:fldChar w:fldCharType=\"separate\"/>",
    "<w:fldChar w:fldCharType=\"end\"/>",
    "<w:instrText>HYPERLINK \"javascript:x\"</w:instrText>",
    "<w:hyperlink r:id=\"rId999\">",
    "</w:hyperlink>",
    "<w:numPr><w:ilvl w:val=\"8\"/><w:numId w:val=\"1\"/></w:numPr>",
    "<w:outlineLvl w:val=\"255\"/>",
    "<w:gridSpan w:val=\"100000\"/>",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "&unknown;",
    "*_[]#",
    "\u{0E01}\u{0E48}",
    "<![CDATA[x]]>",
    "<!DOCTYPE x [<!ENTITY a \"b\">]>",
    "<w:sdt><w:sdtContent>",
    "</w:sdtContent></w:sdt>",
    "<a:blip r:embed=\"rId1\"/>",
    "<v:imagedata r:id=\"rId2\"/>",
    "xmlns:w=\"urn:x\"",
    "<w:pStyle w:val=\"Heading1\"/>",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        (any::<usize>(), 0usize..64).prop_map(|(i, n)| Mutation::Remove(i, n)),
        (any::<usize>(), 0usize..256).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
        (any::<usize>(), prop::sample::select(FRAGMENTS)).prop_map(|(i, s)| Mutation::Insert(i, s)),
    ]
}

/// A random WordprocessingML element tree, as text.
fn element() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(
        &[
            "<w:t xml:space=\"preserve\"> ก*ข_ [x] # </w:t>",
            "<w:t>1. - + = </w:t>",
            "<w:br/>",
            "<w:cr/>",
            "<w:tab/>",
            "<w:b/>",
            "<w:bCs w:val=\"false\"/>",
            "<w:i/>",
            "<w:pStyle w:val=\"Heading1\"/>",
            "<w:pStyle w:val=\"s1\"/>",
            "<w:pStyle w:val=\"ListBullet\"/>",
            "<w:numId w:val=\"1\"/>",
            "<w:numId w:val=\"0\"/>",
            "<w:ilvl w:val=\"99\"/>",
            "<w:outlineLvl w:val=\"1\"/>",
            "<w:gridSpan w:val=\"3\"/>",
            "<w:vMerge/>",
            "<w:showingPlcHdr/>",
            "<w:fldChar w:fldCharType=\"begin\"/>",
            "<w:fldChar w:fldCharType=\"separate\"/>",
            "<w:fldChar w:fldCharType=\"end\"/>",
            "<w:instrText> HYPERLINK \"https://a.th\" </w:instrText>",
            "<w:instrText>HYPERLINK \"data:x\"</w:instrText>",
            "<a:blip r:embed=\"rId1\"/>",
            "<a:blip r:embed=\"rId2\"/>",
            "<a:blip r:link=\"rId3\"/>",
            "<wp:docPr id=\"1\" name=\"Picture 1\" descr=\"ภาพ\"/>",
            "<v:imagedata r:id=\"rId1\"/>",
            "<m:oMath/>",
            "<c:chart r:id=\"rId4\"/>",
            "<w:delText>ลบ</w:delText>",
            "<w:p/>",
            "<w:tbl/>",
            "<w:tr/>",
            "<w:tc/>",
        ][..],
    )
    .prop_map(str::to_string);
    leaf.prop_recursive(6, 64, 6, |inner| {
        let tags = prop::sample::select(
            &[
                "w:p",
                "w:r",
                "w:pPr",
                "w:rPr",
                "w:numPr",
                "w:tbl",
                "w:tr",
                "w:tc",
                "w:tcPr",
                "w:hyperlink r:id=\"rId2\"",
                "w:hyperlink r:id=\"rId9\" w:anchor=\"a\"",
                "w:fldSimple w:instr=\"HYPERLINK &quot;vbscript:x&quot;\"",
                "w:sdt",
                "w:sdtPr",
                "w:sdtContent",
                "w:ins",
                "w:del",
                "w:smartTag",
                "wp:inline",
                "wp:anchor",
                "v:shape alt=\"a\"",
                "w:txbxContent",
                "mc:AlternateContent",
                "mc:Choice",
                "mc:Fallback",
                "w:object",
                "w:drawing",
                "w:pict",
            ][..],
        );
        (tags, prop::collection::vec(inner, 0..5)).prop_map(|(tag, children)| {
            let name = tag.split(' ').next().unwrap_or(tag);
            format!("<{tag}>{}</{name}>", children.concat())
        })
    })
}

const NS: &str = concat!(
    r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" "#,
    r#"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" "#,
    r#"xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" "#,
    r#"xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:v="urn:schemas-microsoft-com:vml" "#,
    r#"xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" "#,
    r#"xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" "#,
    r#"xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart""#
);

const RELS: &str = concat!(
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="x/image" Target="media/image1.png"/>"#,
    r#"<Relationship Id="rId2" Type="x/hyperlink" Target="javascript:alert(1)" TargetMode="External"/>"#,
    r#"<Relationship Id="rId3" Type="x/image" Target="../../../etc/passwd"/>"#,
    r#"<Relationship Id="rId5" Type="x/styles" Target="styles.xml"/>"#,
    r#"<Relationship Id="rId6" Type="x/numbering" Target="/word/numbering.xml"/>"#,
    r#"</Relationships>"#
);

const STYLES: &str = concat!(
    r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    r#"<w:style w:styleId="s1"><w:name w:val="x"/><w:basedOn w:val="s2"/></w:style>"#,
    r#"<w:style w:styleId="s2"><w:name w:val="y"/><w:basedOn w:val="s1"/><w:rPr><w:b/></w:rPr></w:style>"#,
    r#"<w:style w:styleId="ListBullet"><w:name w:val="List Bullet 9"/><w:pPr><w:numPr><w:numId w:val="7"/></w:numPr></w:pPr></w:style>"#,
    r#"</w:styles>"#
);

const NUMBERING: &str = concat!(
    r#"<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    r#"<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/></w:lvl>"#,
    r#"<w:lvl w:ilvl="1"><w:numFmt w:val="none"/></w:lvl></w:abstractNum>"#,
    r#"<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="7"><w:abstractNumId w:val="9"/></w:num>"#,
    r#"</w:numbering>"#
);

fn random_package(body: Vec<String>, with: [bool; 4]) -> Vec<u8> {
    let document = format!(
        "<w:document {NS}><w:body>{}</w:body></w:document>",
        body.concat()
    );
    let mut parts = vec![("word/document.xml".to_string(), document.into_bytes())];
    let optional = [
        ("word/_rels/document.xml.rels", RELS.as_bytes()),
        ("word/styles.xml", STYLES.as_bytes()),
        ("word/numbering.xml", NUMBERING.as_bytes()),
        ("word/media/image1.png", b"\x89PNG\r\n\x1a\n....".as_slice()),
    ];
    for (keep, (name, data)) in with.iter().zip(optional) {
        if *keep {
            parts.push((name.to_string(), data.to_vec()));
        }
    }
    rezip(&parts)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn mutated_bytes(seed in 0..SEEDS.len(), muts in prop::collection::vec(mutation(), 1..6)) {
        let mut bytes = common::fixture(SEEDS[seed]);
        for m in &muts {
            mutate(&mut bytes, m);
        }
        check(&bytes);
    }

    #[test]
    fn mutated_xml(seed in 0..SEEDS.len(), part in any::<prop::sample::Index>(), muts in prop::collection::vec(mutation(), 1..8)) {
        let mut parts = seeds()[seed].clone();
        let xml: Vec<usize> = (0..parts.len()).filter(|&i| parts[i].0.ends_with(".xml") || parts[i].0.ends_with(".rels")).collect();
        let i = xml[part.index(xml.len())];
        for m in &muts {
            mutate(&mut parts[i].1, m);
        }
        check(&rezip(&parts));
    }

    #[test]
    fn random_documents(body in prop::collection::vec(element(), 0..6), with in any::<[bool; 4]>()) {
        check(&random_package(body, with));
    }

    #[test]
    fn random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512), pk in any::<bool>()) {
        let mut bytes = bytes;
        if pk {
            bytes.splice(0..0, *b"PK\x03\x04");
        }
        check(&bytes);
    }
}
