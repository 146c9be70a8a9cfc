//! OpenAPI truth (issue 18): every operation of the document is sent what reaches its layers
//! and extractors before any rule (no credentials; with a token, a body that is not JSON, a body
//! not sent as JSON, query values that do not parse), and every status it answers must be one
//! the document lists for that operation.
use std::collections::BTreeSet;

use roster_testkit::app::TestApp;

/// A concrete URL for `path`: the owner's account, a template name, fresh ids elsewhere.
fn concrete(path: &str, account: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
        let name = &rest[open + 1..close];
        out.push_str(&match name {
            "account_id" => account.to_owned(),
            "name" => "welcome".to_owned(),
            "slug" => "nobody".to_owned(),
            _ => uuid::Uuid::now_v7().to_string(),
        });
        rest = &rest[(close + 1).min(rest.len())..];
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn every_status_answered_is_in_the_openapi_document() {
    let app = TestApp::builder().build().await;
    let owner = app.owner("Acme").await;
    let bearer = owner.bearer().to_owned();
    let doc = serde_json::to_value(roster_web::openapi()).unwrap();
    let mut undocumented = Vec::new();
    let mut sent = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Ok(m) = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()) else { continue };
            if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&m.as_str()) || path.ends_with("/logout") {
                continue;
            }
            let documented: BTreeSet<String> = op["responses"].as_object().unwrap().keys().cloned().collect();
            let url = app.at(&concrete(path, &owner.account().to_string()));
            let json_body = op["requestBody"]["content"]["application/json"].is_object();
            let query: Vec<String> = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .filter(|p| p["in"] == "query")
                        .filter_map(|p| p["name"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            let mut tries: Vec<(&str, reqwest::RequestBuilder)> =
                vec![("anonymous", app.client.request(m.clone(), &url))];
            if json_body {
                tries.push((
                    "malformed JSON",
                    app.client
                        .request(m.clone(), &url)
                        .bearer_auth(&bearer)
                        .header("content-type", "application/json")
                        .body("{\"half"),
                ));
                tries.push((
                    "not sent as JSON",
                    app.client
                        .request(m.clone(), &url)
                        .bearer_auth(&bearer)
                        .header("content-type", "text/plain")
                        .body("a=b"),
                ));
            }
            if m == reqwest::Method::GET && !query.is_empty() {
                let q: Vec<String> = query.iter().map(|n| format!("{n}=not%20a%20value%ff")).collect();
                tries.push(("bad query", app.client.get(format!("{url}?{}", q.join("&"))).bearer_auth(&bearer)));
                tries.push((
                    "NUL in the query",
                    app.client.get(format!("{url}?{}=a%00b", query[0])).bearer_auth(&bearer),
                ));
            }
            for (what, req) in tries {
                let status = req.send().await.unwrap().status().as_u16().to_string();
                sent += 1;
                if !documented.contains(&status) {
                    undocumented.push(format!("{} {path} ({what}): {status}, documented {documented:?}", m.as_str()));
                }
            }
        }
    }
    assert!(sent > 200, "every operation was tried: {sent} requests");
    assert!(undocumented.is_empty(), "answers the document does not list:\n{}", undocumented.join("\n"));
}
