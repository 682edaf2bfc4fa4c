//! X.509 certificates in a TLS Certificate message: the fields tshark's `x509af`, `x509if`,
//! `x509sat` and `pkcs-1` dissectors set, found by a small DER walker (lenient: it stops at
//! the first thing it cannot read and keeps what it found so far).

use super::super::FieldVal;

/// One value a certificate gives: a Wireshark field name and its value.
pub(super) type CertField = (&'static str, FieldVal);

/// What the packet-details tree and the course lab want of one certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct CertSummary {
    /// The fields, in tshark's order.
    pub fields: Vec<CertField>,
    /// `signature` algorithm name (or dotted OID).
    pub signature: String,
    /// Issuer as `id-at-commonName=...,...`.
    pub issuer: String,
    /// Subject, same form.
    pub subject: String,
    /// Subject common name.
    pub subject_cn: Option<String>,
    /// Issuer common name.
    pub issuer_cn: Option<String>,
    /// Public key algorithm name.
    pub key_algorithm: String,
    /// Public key size in bits (RSA modulus or EC curve size).
    pub key_bits: Option<u32>,
}

/// A DER element: tag, content range.
#[derive(Debug, Clone, Copy)]
struct Tlv<'a> {
    tag: u8,
    body: &'a [u8],
}

/// Reads one element from the front of `d`; returns it and the rest.
fn tlv(d: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let tag = *d.first()?;
    let first = *d.get(1)?;
    let (len, hdr) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | usize::from(*d.get(2 + i)?);
        }
        (len, 2 + n)
    };
    let end = hdr.checked_add(len)?;
    let body = d.get(hdr..end)?;
    Some((Tlv { tag, body }, d.get(end..)?))
}

/// The elements inside a constructed element.
fn children(mut d: &[u8]) -> Vec<Tlv<'_>> {
    let mut out = Vec::new();
    while !d.is_empty() && out.len() < 256 {
        let Some((t, rest)) = tlv(d) else { break };
        out.push(t);
        d = rest;
    }
    out
}

/// Dotted text of an OID body.
pub(super) fn oid_text(b: &[u8]) -> Option<String> {
    let first = *b.first()?;
    let mut out = format!("{}.{}", first / 40, first % 40);
    let mut v: u64 = 0;
    for &x in &b[1..] {
        v = v.checked_mul(128)? | u64::from(x & 0x7f);
        if x & 0x80 == 0 {
            out.push('.');
            out.push_str(&v.to_string());
            v = 0;
        }
    }
    Some(out)
}

/// Wireshark's name of an OID it shows in certificates.
pub(super) fn oid_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "1.2.840.113549.1.1.1" => "rsaEncryption",
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "id-RSASSA-PSS",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.10045.2.1" => "id-ecPublicKey",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.3.101.112" => "id-Ed25519",
        "1.3.101.113" => "id-Ed448",
        "2.5.4.3" => "id-at-commonName",
        "2.5.4.5" => "id-at-serialNumber",
        "2.5.4.6" => "id-at-countryName",
        "2.5.4.7" => "id-at-localityName",
        "2.5.4.8" => "id-at-stateOrProvinceName",
        "2.5.4.9" => "id-at-streetAddress",
        "2.5.4.10" => "id-at-organizationName",
        "2.5.4.11" => "id-at-organizationalUnitName",
        "1.2.840.113549.1.9.1" => "pkcs-9-at-emailAddress",
        _ => return None,
    })
}

fn named(oid: &str) -> String {
    oid_name(oid).map_or_else(|| oid.to_string(), str::to_string)
}

/// Field name for a DirectoryString choice by its DER tag.
fn string_field(tag: u8) -> Option<&'static str> {
    Some(match tag {
        0x0c => "x509sat.uTF8String",
        0x13 => "x509sat.printableString",
        0x14 => "x509sat.teletexString",
        0x1c => "x509sat.universalString",
        0x1e => "x509sat.bmpString",
        _ => return None,
    })
}

/// Reads an AlgorithmIdentifier; adds its field; returns the OID and the parameters.
fn algorithm<'a>(t: Tlv<'a>, out: &mut CertSummary) -> Option<(String, Option<Tlv<'a>>)> {
    let parts = children(t.body);
    let oid_t = parts.first().filter(|p| p.tag == 0x06)?;
    let oid = oid_text(oid_t.body)?;
    out.fields
        .push(("x509af.algorithm.id", FieldVal::Str(oid.clone())));
    Some((oid, parts.get(1).copied()))
}

/// Reads a Name; adds its fields; returns `type=value,...` and the common name.
fn name(t: Tlv<'_>, out: &mut CertSummary) -> (String, Option<String>) {
    let mut text = Vec::new();
    let mut cn = None;
    for set in children(t.body) {
        for atv in children(set.body) {
            let parts = children(atv.body);
            let Some(oid) = parts
                .first()
                .filter(|p| p.tag == 0x06)
                .and_then(|p| oid_text(p.body))
            else {
                continue;
            };
            out.fields.push(("x509if.oid", FieldVal::Str(oid.clone())));
            let Some(v) = parts.get(1) else { continue };
            let value = crate::text::escape(v.body);
            let field = if oid == "2.5.4.6" && v.tag == 0x13 {
                Some("x509sat.CountryName")
            } else if oid.starts_with("2.5.4.") {
                string_field(v.tag)
            } else {
                None
            };
            if let Some(f) = field {
                out.fields.push((f, FieldVal::Str(value.clone())));
            }
            if oid == "2.5.4.3" && cn.is_none() {
                cn = Some(value.clone());
            }
            text.push(format!("{}={value}", named(&oid)));
        }
    }
    (text.join(","), cn)
}

/// Size in bits of an unsigned big-endian integer.
fn bits(b: &[u8]) -> u32 {
    let b = match b.iter().position(|&x| x != 0) {
        Some(i) => &b[i..],
        None => return 0,
    };
    let lead = b.first().map_or(0, |x| 8 - x.leading_zeros());
    lead + 8 * u32::try_from(b.len() - 1).unwrap_or(0)
}

/// Parses one DER certificate.
pub(super) fn parse(der: &[u8]) -> CertSummary {
    let mut out = CertSummary::default();
    let _ = parse_into(der, &mut out);
    out
}

fn parse_into(der: &[u8], out: &mut CertSummary) -> Option<()> {
    let (cert, _) = tlv(der)?;
    let top = children(cert.body);
    let tbs = children(top.first()?.body);
    let mut i = 0;
    if tbs.first()?.tag == 0xa0 {
        i += 1;
    }
    i += 1; // serialNumber
    let (sig, _) = algorithm(*tbs.get(i)?, out)?;
    out.signature = named(&sig);
    // `Name` is a CHOICE whose only alternative is rdnSequence (0), as tshark shows it.
    out.fields.push(("x509af.issuer", FieldVal::Uint(0)));
    let (issuer, icn) = name(*tbs.get(i + 1)?, out);
    out.issuer = issuer;
    out.issuer_cn = icn;
    out.fields.push(("x509af.subject", FieldVal::Uint(0)));
    let (subject, scn) = name(*tbs.get(i + 3)?, out);
    out.subject = subject;
    out.subject_cn = scn;
    let spki = children(tbs.get(i + 4)?.body);
    let (alg, params) = algorithm(*spki.first()?, out)?;
    out.key_algorithm = named(&alg);
    let key = spki.get(1).filter(|k| k.tag == 0x03)?;
    if alg == "1.2.840.113549.1.1.1" {
        let rsa = children(key.body.get(1..)?);
        let rsa = children(rsa.first()?.body);
        let modulus = rsa.first()?;
        out.fields
            .push(("pkcs1.modulus", FieldVal::Bytes(modulus.body.to_vec())));
        out.key_bits = Some(bits(modulus.body));
        if let Some(e) = rsa.get(1).filter(|e| e.body.len() <= 4) {
            let v = e.body.iter().fold(0u64, |a, &x| (a << 8) | u64::from(x));
            out.fields.push(("pkcs1.publicExponent", FieldVal::Uint(v)));
        }
    } else if alg == "1.2.840.10045.2.1" {
        out.key_bits = params
            .and_then(|p| oid_text(p.body))
            .and_then(|c| match c.as_str() {
                "1.2.840.10045.3.1.7" => Some(256),
                "1.3.132.0.34" => Some(384),
                "1.3.132.0.35" => Some(521),
                _ => None,
            });
    } else if alg == "1.3.101.112" {
        out.key_bits = Some(256);
    }
    if let Some(ext) = tbs
        .get(i + 5..)
        .and_then(|r| r.iter().find(|t| t.tag == 0xa3))
    {
        for seq in children(ext.body) {
            for e in children(seq.body) {
                if let Some(oid) = children(e.body)
                    .first()
                    .filter(|p| p.tag == 0x06)
                    .and_then(|p| oid_text(p.body))
                {
                    out.fields.push(("x509af.extension.id", FieldVal::Str(oid)));
                }
            }
        }
    }
    let (outer, _) = algorithm(*top.get(1)?, out)?;
    let _ = outer;
    Some(())
}
