//! `/api/v1` and the operational endpoints, good and bad inputs.
use roster_testkit::app::{Answer, PASSWORD, TestApp, each_backend};
use serde_json::{Value, json};
use uuid::Uuid;

/// An operator with a token and an account they own.
async fn owner_with_account(app: &TestApp, email: &str, name: &str) -> (String, Uuid) {
    app.operator(email).await;
    let token = app.token(email, None).await;
    let account = app.create_account(&token, name).await;
    (token, account)
}

fn codes(v: &Value) -> (&str, u64) {
    (v["code"].as_str().unwrap_or_default(), v["status"].as_u64().unwrap_or_default())
}

#[tokio::test]
async fn health_ready_and_metrics() {
    each_backend(|app| async move {
        let res = app.client.get(app.at("/healthz")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers().contains_key("x-request-id"), "every answer carries a request id");
        let res = app.client.get(app.at("/readyz")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let metrics = app.client.get(app.at("/metrics")).send().await.unwrap().text().await.unwrap();
        assert!(
            metrics.contains("roster_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"),
            "{metrics}"
        );
        assert!(
            metrics.contains("roster_http_request_duration_seconds_bucket{method=\"GET\",route=\"/readyz\""),
            "{metrics}"
        );
        assert!(metrics.contains("roster_db_pool_connections{state=\"idle\"}"), "{metrics}");
        assert!(metrics.contains("roster_emails{status=\"queued\"} 0"), "{metrics}");
    })
    .await;
}

#[tokio::test]
async fn readyz_is_503_when_the_database_is_gone() {
    each_backend(|app| async move {
        app.db.store.close().await;
        let res = app.client.get(app.at("/readyz")).send().await.unwrap();
        assert_eq!(res.status(), 503);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
    })
    .await;
}

#[tokio::test]
async fn openapi_document_lists_this_slices_endpoints() {
    each_backend(|app| async move {
        let Answer { status, body: doc } = app.get_json("/api/v1/openapi.json", None).await;
        assert_eq!(status, 200);
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "OpenAPI 3.1, got {}", doc["openapi"]);
        for (path, method) in [
            ("/api/v1/auth/token", "post"),
            ("/api/v1/auth/logout", "post"),
            ("/api/v1/me", "get"),
            ("/api/v1/accounts", "get"),
            ("/api/v1/accounts", "post"),
            ("/api/v1/accounts/{account_id}", "get"),
            ("/api/v1/accounts/{account_id}/users", "get"),
            ("/api/v1/permissions", "get"),
            ("/healthz", "get"),
            ("/readyz", "get"),
            ("/metrics", "get"),
        ] {
            assert!(doc["paths"][path][method].is_object(), "{method} {path} missing from the document");
        }
    })
    .await;
}

#[tokio::test]
async fn unknown_route_and_wrong_method_are_problems() {
    each_backend(|app| async move {
        let res = app.client.get(app.at("/api/v1/nope")).send().await.unwrap();
        assert_eq!(res.status(), 404);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let v: Value = res.json().await.unwrap();
        assert_eq!(codes(&v), ("not_found", 404));
        let res = app.client.delete(app.at("/api/v1/me")).send().await.unwrap();
        assert_eq!(res.status(), 405);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
    })
    .await;
}

#[tokio::test]
async fn token_sign_in_me_and_logout() {
    each_backend(|app| async move {
        let (token, account) = owner_with_account(&app, "ada@example.com", "Acme Studio").await;
        let Answer { status, body: me } = app.get_json("/api/v1/me", Some(&token)).await;
        assert_eq!(status, 200);
        assert_eq!(me["user"]["email"], "ada@example.com");
        assert_eq!(me["memberships"][0]["account_id"], account.to_string());
        assert_eq!(me["memberships"][0]["is_owner"], true);

        // Signing in again with one membership lands in it.
        let Answer { status, body: v } =
            app.post_json("/api/v1/auth/token", None, &json!({"login": "ADA@example.com", "password": PASSWORD})).await;
        assert_eq!(status, 200);
        assert_eq!(v["token_type"], "Bearer");
        assert_eq!(v["account_id"], account.to_string());
        assert!(v["expires_in"].as_u64().unwrap() > 0);
        assert!(v["access_token"].as_str().unwrap().starts_with("roster_at_"));

        let res = app.client.post(app.at("/api/v1/auth/logout")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), 204);
        let Answer { status, body: v } = app.get_json("/api/v1/me", Some(&token)).await;
        assert_eq!((status, v["code"].as_str()), (401, Some("unauthenticated")), "the token is dead at once");
    })
    .await;
}

#[tokio::test]
async fn r_auth_7_unknown_login_answers_like_a_wrong_password() {
    each_backend(|app| async move {
        app.operator("ada@example.com").await;
        let wrong = app
            .client
            .post(app.at("/api/v1/auth/token"))
            .json(&json!({"login": "ada@example.com", "password": "wrong password"}))
            .send()
            .await
            .unwrap();
        let unknown = app
            .client
            .post(app.at("/api/v1/auth/token"))
            .json(&json!({"login": "nobody@example.com", "password": "wrong password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401);
        assert_eq!(unknown.status(), 401);
        let (a, b): (Value, Value) = (wrong.json().await.unwrap(), unknown.json().await.unwrap());
        assert_eq!(a, b, "same body for an unknown login and a wrong password");
        assert_eq!(a["code"], "invalid_credentials");
    })
    .await;
}

#[tokio::test]
async fn bad_bodies_get_400_415_and_422() {
    each_backend(|app| async move {
        let send = |body: &'static str, ct: &'static str| {
            app.client.post(app.at("/api/v1/auth/token")).header("content-type", ct).body(body).send()
        };
        let res = send("{\"login\":", "application/json").await.unwrap();
        assert_eq!(res.status(), 400);
        assert_eq!(codes(&res.json::<Value>().await.unwrap()), ("malformed_json", 400));
        // Cut off inside a field, or followed by more: malformed whatever field it names.
        for cut in ["{\"login\": \"half@exa", "{\"login\": \"a\", \"password\": 12", "{\"login\": \"a\"} x"] {
            let res = send(cut, "application/json").await.unwrap();
            assert_eq!(res.status(), 400, "{cut}");
            assert_eq!(codes(&res.json::<Value>().await.unwrap()), ("malformed_json", 400), "{cut}");
        }

        let res = send("{\"login\": \"ada@example.com\"}", "application/json").await.unwrap();
        assert_eq!(res.status(), 422);
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["errors"][0]["field"], "password");

        let res = send("{\"login\": 5, \"password\": \"x\"}", "application/json").await.unwrap();
        assert_eq!(res.status(), 422);
        assert_eq!(res.json::<Value>().await.unwrap()["errors"][0]["field"], "login");

        let res = send("{\"login\": \"a\", \"password\": \"b\", \"account_id\": \"not-a-uuid\"}", "application/json")
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        assert_eq!(res.json::<Value>().await.unwrap()["errors"][0]["field"], "account_id");

        // Issue 15: a cut-off body naming a typed field (an email) answered 422.
        app.operator("cut@example.test").await;
        let t = app.token("cut@example.test", None).await;
        let account = app.create_account(&t, "Cut Off").await;
        let res = app
            .client
            .post(app.at(&format!("/api/v1/accounts/{account}/users")))
            .bearer_auth(&t)
            .header("content-type", "application/json")
            .body("{\"email\": \"half@exa")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);

        let res = send("login=a&password=b", "application/x-www-form-urlencoded").await.unwrap();
        assert_eq!(res.status(), 415);

        let huge = format!("{{\"login\": \"{}\", \"password\": \"x\"}}", "a".repeat(2 * 1024 * 1024));
        let res = app
            .client
            .post(app.at("/api/v1/auth/token"))
            .header("content-type", "application/json")
            .body(huge)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 413);
    })
    .await;
}

#[tokio::test]
async fn r_auth_3_creating_an_account_makes_the_caller_its_owner() {
    each_backend(|app| async move {
        let (token, _) = owner_with_account(&app, "ada@example.com", "Acme Studio").await;
        let Answer { status, body: v } =
            app.post_json("/api/v1/accounts", Some(&token), &json!({"name": "Acme Studio"})).await;
        assert_eq!(status, 201);
        assert_eq!(v["slug"], "acme-studio-2", "a second account of the same name gets a free slug");
        assert_eq!(v["membership"]["is_owner"], true);
        assert_eq!(v["membership"]["role"], "owner");
        let id = v["id"].as_str().unwrap();
        let Answer { status, body: team } = app.get_json(&format!("/api/v1/accounts/{id}/users"), Some(&token)).await;
        assert_eq!(status, 200);
        assert_eq!(team["items"].as_array().unwrap().len(), 1);
        assert_eq!(team["items"][0]["email"], "ada@example.com");
        assert_eq!(team["items"][0]["is_owner"], true);
        assert_eq!(
            team["items"][0]["permissions"].as_array().unwrap().len(),
            22,
            "R-OWN-2: the owner holds every permission"
        );

        let Answer { status, body: v } = app.post_json("/api/v1/accounts", Some(&token), &json!({"name": "   "})).await;
        assert_eq!(status, 422);
        assert_eq!(v["errors"][0]["field"], "name");
        app.post_json("/api/v1/accounts", Some(&token), &json!({"name": "x".repeat(101)})).await.assert_status(422);
        let status = app.post_json("/api/v1/accounts", Some(&token), &json!({"name": "Ok", "extra": 1})).await.status;
        assert_eq!(status, 422, "unknown fields are refused, not ignored");
        app.post_json("/api/v1/accounts", None, &json!({"name": "Nope"})).await.assert_status(401);

        let Answer { status, body: list } = app.get_json("/api/v1/accounts", Some(&token)).await;
        assert_eq!(status, 200);
        assert_eq!(list["items"].as_array().unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn r_perm_3_another_accounts_ids_answer_404() {
    each_backend(|app| async move {
        let (_, acme) = owner_with_account(&app, "ada@example.com", "Acme Studio").await;
        let bob = app.seed_members(acme, "admin", &[("Bob", "Admin", "bob@example.com")]).await;
        let bob_token = app.token(&bob[0].email, None).await;
        let other = app.create_account(&bob_token, "Bob's Bakery").await;

        // A customer of Bob's account cannot see Acme at all.
        let carol = app.seed_members(other, "customer", &[("Carol", "Customer", "carol@example.com")]).await;
        let carol_token = app.token(&carol[0].email, Some(other)).await;
        for path in [format!("/api/v1/accounts/{acme}"), format!("/api/v1/accounts/{acme}/users")] {
            let Answer { status, body: v } = app.get_json(&path, Some(&carol_token)).await;
            assert_eq!((status, v["code"].as_str()), (404, Some("not_found")), "{path}");
        }
        // Nor an id that does not exist, nor one that is not an id.
        for path in [format!("/api/v1/accounts/{}", Uuid::now_v7()), "/api/v1/accounts/not-an-id/users".to_owned()] {
            let status = app.get_json(&path, Some(&carol_token)).await.status;
            assert_eq!(status, 404, "{path}");
        }
        // In her own account she may look at the account but not the team (users.view).
        app.get_json(&format!("/api/v1/accounts/{other}"), Some(&carol_token)).await.assert_status(200);
        let Answer { status, body: v } =
            app.get_json(&format!("/api/v1/accounts/{other}/users"), Some(&carol_token)).await;
        assert_eq!((status, v["code"].as_str(), v["rule"].as_str()), (403, Some("forbidden"), Some("R-PERM-3")));
    })
    .await;
}

#[tokio::test]
async fn r_dis_1_a_disabled_membership_sees_nothing() {
    each_backend(|app| async move {
        let (_, acme) = owner_with_account(&app, "ada@example.com", "Acme Studio").await;
        let bob = app.seed_members(acme, "admin", &[("Bob", "Admin", "bob@example.com")]).await;
        let bob_token = app.token(&bob[0].email, Some(acme)).await;
        let mut tx = app.db.store.begin().await.unwrap();
        tx.set_membership_status(acme, bob[0].id, roster_core::MembershipStatus::Disabled).await.unwrap();
        tx.commit().await.unwrap();
        app.get_json(&format!("/api/v1/accounts/{acme}/users"), Some(&bob_token)).await.assert_status(404);
        let v =
            app.post_json("/api/v1/auth/token", None, &json!({"login": "bob@example.com", "password": PASSWORD})).await;
        // Not signed in; after the right password, told why (clear_words.rs).
        assert_eq!((v.status, v.code()), (403, Some("access_disabled")), "{v}");
    })
    .await;
}

#[tokio::test]
async fn operator_sees_every_account() {
    each_backend(|app| async move {
        let (_, acme) = owner_with_account(&app, "ada@example.com", "Acme Studio").await;
        app.operator("olga@example.com").await;
        let olga = app.token("olga@example.com", None).await;
        let Answer { status, body: list } = app.get_json("/api/v1/accounts", Some(&olga)).await;
        assert_eq!(status, 200);
        assert_eq!(list["items"][0]["id"], acme.to_string());
        assert!(list["items"][0]["membership"].is_null());
        let Answer { status, body: team } = app.get_json(&format!("/api/v1/accounts/{acme}/users"), Some(&olga)).await;
        assert_eq!(status, 200);
        assert_eq!(team["items"][0]["email"], "ada@example.com");
    })
    .await;
}

#[tokio::test]
async fn users_list_pages_with_a_cursor() {
    each_backend(|app| async move {
        let (token, acme) = owner_with_account(&app, "ada@example.com", "Acme Studio").await;
        let people: Vec<(String, String, String)> =
            (0..120).map(|i| (format!("Member{i:03}"), "Zed".to_owned(), format!("m{i:03}@example.com"))).collect();
        let refs: Vec<(&str, &str, &str)> =
            people.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
        app.seed_members(acme, "standard", &refs).await;

        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/accounts/{acme}/users?limit=50&cursor={c}"),
                None => format!("/api/v1/accounts/{acme}/users?limit=50"),
            };
            let Answer { status, body: page } = app.get_json(&path, Some(&token)).await;
            assert_eq!(status, 200);
            pages += 1;
            for m in page["items"].as_array().unwrap() {
                seen.push(
                    format!("{} {}", m["first_name"].as_str().unwrap(), m["last_name"].as_str().unwrap())
                        .to_lowercase(),
                );
            }
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        assert_eq!(pages, 3);
        assert_eq!(seen.len(), 121, "120 members and the owner, each once");
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(seen, sorted, "ordered by name across pages");

        for (q, field) in
            [("limit=0", "limit"), ("limit=501", "limit"), ("limit=abc", "limit"), ("cursor=zz", "cursor")]
        {
            let Answer { status, body: v } =
                app.get_json(&format!("/api/v1/accounts/{acme}/users?{q}"), Some(&token)).await;
            assert_eq!(status, 422, "{q}");
            assert_eq!(v["errors"][0]["field"], field, "{q}: {v}");
        }
    })
    .await;
}

#[tokio::test]
async fn permission_catalogue_is_complete() {
    each_backend(|app| async move {
        app.operator("ada@example.com").await;
        let token = app.token("ada@example.com", None).await;
        let Answer { status, body: v } = app.get_json("/api/v1/permissions", Some(&token)).await;
        assert_eq!(status, 200);
        let ids: Vec<&str> = v.as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), 22);
        for id in ["account.settings", "users.view", "users.impersonate", "contacts.view_all", "call_center.use"] {
            assert!(ids.contains(&id), "{id}");
        }
        assert!(v[0]["grants"].as_str().unwrap().len() > 10);
        let status = app.get_json("/api/v1/permissions", None).await.status;
        assert_eq!(status, 401);
    })
    .await;
}

#[tokio::test]
async fn concurrent_account_creation_gives_unique_slugs() {
    each_backend(|app| async move {
        app.operator("ada@example.com").await;
        let token = app.token("ada@example.com", None).await;
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let client = app.client.clone();
            let url = app.at("/api/v1/accounts");
            let token = token.clone();
            tasks.push(tokio::spawn(async move {
                let res = client.post(url).bearer_auth(token).json(&json!({"name": "Same Name"})).send().await.unwrap();
                (res.status().as_u16(), res.json::<Value>().await.unwrap())
            }));
        }
        let mut slugs = Vec::new();
        for t in tasks {
            let (status, v) = t.await.unwrap();
            if status == 201 {
                slugs.push(v["slug"].as_str().unwrap().to_owned());
            } else {
                assert_eq!(status, 409, "a lost race is a clear conflict, never a 500: {v}");
            }
        }
        let n = slugs.len();
        slugs.sort();
        slugs.dedup();
        assert_eq!(slugs.len(), n, "no two accounts share a slug");
        assert!(n >= 1);
    })
    .await;
}
