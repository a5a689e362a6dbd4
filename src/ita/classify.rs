//! Which links of the OIT page khao checks against its own build and which
//! it fetches from the internet. Staff often paste the full address of the
//! office's own page (`https://www.example.go.th/about/`); that is a page of
//! this site and must resolve in the build, not cost a request.

use url::Url;

/// Where a link leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// A page of this site: its path from the site root, percent-decoded,
    /// without query or fragment (`/news/fy/2569/`).
    Internal(String),
    /// A web page elsewhere, to fetch: the URL as written (trimmed).
    External(String),
    /// Not a web page (`mailto:`, `tel:`, `javascript:`…): nothing to
    /// fetch; khao decides whether it is allowed.
    Other(String),
}

/// Classifies a link of `ita.yaml` against the site's `base_url`.
///
/// - a path from the root (`/about/`) is internal, as written;
/// - a relative path (`../about/`) is resolved from the `/ita/` page;
/// - an `http(s)` URL (or `//host/…`) on the base URL's host (either
///   scheme, any letter case, default port or not) and under its path is
///   internal, with the base path removed; any other is external;
/// - any other scheme is [`LinkTarget::Other`].
///
/// An unparsable `base_url` makes every absolute URL external, and the
/// empty string is `Internal("")`, which resolves to nothing.
pub fn classify(url: &str, base_url: &str) -> LinkTarget {
    let url = url.trim();
    if url.is_empty() {
        return LinkTarget::Internal(String::new());
    }
    let base = Url::parse(base_url.trim()).ok();
    let absolute = if let Some(rest) = url.strip_prefix("//") {
        let scheme = base.as_ref().map_or("https", |b| b.scheme());
        Url::parse(&format!("{scheme}://{rest}")).ok()
    } else {
        Url::parse(url).ok()
    };
    match absolute {
        Some(parsed) if is_web(&parsed) => {
            match base.as_ref().and_then(|b| site_path(&parsed, b)) {
                Some(path) => LinkTarget::Internal(path),
                None => LinkTarget::External(url.to_string()),
            }
        }
        Some(_) => LinkTarget::Other(url.to_string()),
        None if url.starts_with('/') => LinkTarget::Internal(decoded_path(url)),
        None => {
            let page = Url::parse("http://site.invalid/ita/").expect("a valid URL");
            match page.join(url) {
                Ok(joined) if joined.host_str() == Some("site.invalid") => {
                    LinkTarget::Internal(decode(joined.path()))
                }
                _ => LinkTarget::Other(url.to_string()),
            }
        }
    }
}

fn is_web(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https")
}

/// The site path of `url` if it lies under `base` (host and path prefix).
fn site_path(url: &Url, base: &Url) -> Option<String> {
    if !is_web(base) || url.host_str()? != base.host_str()? {
        return None;
    }
    // http://host/ and https://host/ are the same site; another port is not.
    let standard = |p: Option<u16>| matches!(p, Some(80 | 443));
    let (port, base_port) = (url.port_or_known_default(), base.port_or_known_default());
    if port != base_port && !(standard(port) && standard(base_port)) {
        return None;
    }
    let base_path = base.path().trim_end_matches('/');
    let rest = url.path().strip_prefix(base_path)?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    Some(decode(if rest.is_empty() { "/" } else { rest }))
}

/// `/a/b/?q#f` → `/a/b/`, decoded.
fn decoded_path(path: &str) -> String {
    let end = path.find(['?', '#']).unwrap_or(path.len());
    decode(&path[..end])
}

/// Percent-decodes a path; invalid UTF-8 is kept encoded.
fn decode(path: &str) -> String {
    percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .map_or_else(|_| path.to_string(), |s| s.into_owned())
}

#[cfg(test)]
mod tests {
    use super::LinkTarget::{External, Internal, Other};
    use super::*;

    const BASE: &str = "https://www.example.go.th/";

    fn c(url: &str) -> LinkTarget {
        classify(url, BASE)
    }

    #[test]
    fn site_paths_are_internal() {
        assert_eq!(c("/news/fy/2569/"), Internal("/news/fy/2569/".into()));
        assert_eq!(c(" /about/?x=1#top "), Internal("/about/".into()));
        assert_eq!(
            c("../about/structure/"),
            Internal("/about/structure/".into())
        );
        assert_eq!(c("docs/plan.pdf"), Internal("/ita/docs/plan.pdf".into()));
        assert_eq!(
            c("/%E0%B8%82%E0%B9%88%E0%B8%B2%E0%B8%A7/"),
            Internal("/ข่าว/".into())
        );
        assert_eq!(c(""), Internal(String::new()));
    }

    #[test]
    fn absolute_urls_on_the_base_url_are_internal() {
        assert_eq!(
            c("https://www.example.go.th/about/"),
            Internal("/about/".into())
        );
        assert_eq!(
            c("http://WWW.Example.go.th/about/"),
            Internal("/about/".into())
        );
        assert_eq!(c("https://www.example.go.th:443/"), Internal("/".into()));
        assert_eq!(c("https://www.example.go.th"), Internal("/".into()));
        assert_eq!(c("//www.example.go.th/a/"), Internal("/a/".into()));
        let sub = "https://www.example.go.th/site/";
        assert_eq!(
            classify("https://www.example.go.th/site/a/", sub),
            Internal("/a/".into())
        );
        assert_eq!(
            classify("https://www.example.go.th/sitemap/", sub),
            External("https://www.example.go.th/sitemap/".into())
        );
    }

    #[test]
    fn other_hosts_and_schemes() {
        assert_eq!(
            c("https://example.go.th/"),
            External("https://example.go.th/".into())
        );
        assert_eq!(
            c("https://www.example.go.th:8443/"),
            External("https://www.example.go.th:8443/".into())
        );
        assert_eq!(
            c("https://www.obec.go.th/"),
            External("https://www.obec.go.th/".into())
        );
        assert_eq!(
            c("mailto:it@example.go.th"),
            Other("mailto:it@example.go.th".into())
        );
        assert_eq!(c("tel:077205317"), Other("tel:077205317".into()));
        assert_eq!(
            classify("https://a.example/", "not a url"),
            External("https://a.example/".into())
        );
    }
}
