//! The files under `deploy/` parse and say what the running system needs: Kubernetes objects
//! with the fields and probes the operators act on (and, when the validator is installed,
//! against the Kubernetes JSON schemas), Prometheus config and alert rules accepted and
//! unit-tested by promtool, a Grafana dashboard and alerts that name only metrics a real
//! qr-host exposes, an nginx config that `nginx -t` accepts, and the container command line
//! (the image's ENTRYPOINT plus the Deployment's args) started by the real qr-host. The image
//! itself is built and run with podman in [`container`].

mod container;

use qr_tests::{Host, fixtures_manifest, run_ok, workspace_root};
use serde_json::Value as Json;
use serde_norway::Value as Yaml;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

fn deploy(path: &str) -> PathBuf {
    workspace_root().join("deploy").join(path)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Every YAML document in the file (separated by `---` lines), in order.
fn documents(path: &Path) -> Vec<Yaml> {
    use serde::Deserialize as _;
    serde_norway::Deserializer::from_str(&read(path))
        .map(|doc| Yaml::deserialize(doc).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .filter(|doc| !doc.is_null())
        .collect()
}

/// The value at a dotted path (`spec.template.spec`); list items by index (`containers.0`).
fn at<'a>(value: &'a Yaml, path: &str) -> &'a Yaml {
    path.split('.').fold(value, |node, key| {
        let next = match key.parse::<usize>() {
            Ok(index) => node.get(index),
            Err(_) => node.get(key),
        };
        next.unwrap_or_else(|| panic!("missing `{path}` (at `{key}`) in {value:?}"))
    })
}

fn str_at<'a>(value: &'a Yaml, path: &str) -> &'a str {
    at(value, path)
        .as_str()
        .unwrap_or_else(|| panic!("`{path}` is not a string"))
}

fn u64_at(value: &Yaml, path: &str) -> u64 {
    at(value, path)
        .as_u64()
        .unwrap_or_else(|| panic!("`{path}` is not a number"))
}

fn list_at<'a>(value: &'a Yaml, path: &str) -> &'a [Yaml] {
    at(value, path)
        .as_sequence()
        .unwrap_or_else(|| panic!("`{path}` is not a list"))
}

/// The one object of a qr-host manifest (`deployment`, `service`, `pdb`).
fn qr_host_object(name: &str) -> Yaml {
    let mut docs = documents(&deploy(&format!("kubernetes/qr-host/{name}.yaml")));
    assert_eq!(docs.len(), 1, "{name}.yaml holds one object");
    docs.remove(0)
}

fn kubernetes_files() -> Vec<PathBuf> {
    let qr_host = ["deployment", "service", "hpa", "pdb"].map(|f| format!("qr-host/{f}.yaml"));
    let spinkube = ["spinapp", "spinapp-autoscaled"].map(|f| format!("spinkube/{f}.yaml"));
    let files = qr_host.into_iter().chain(spinkube);
    files.map(|f| deploy(&format!("kubernetes/{f}"))).collect()
}

#[test]
fn every_kubernetes_object_has_api_version_kind_and_name() {
    for file in kubernetes_files() {
        for doc in documents(&file) {
            for field in ["apiVersion", "kind", "metadata.name"] {
                assert!(
                    !str_at(&doc, field).is_empty(),
                    "{}: empty {field}",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn the_spinapps_probe_spins_health_path_and_use_replicas_or_autoscaling_not_both() {
    for file in ["spinapp", "spinapp-autoscaled"] {
        let docs = documents(&deploy(&format!("kubernetes/spinkube/{file}.yaml")));
        let of_kind = |kind| docs.iter().find(|d| str_at(d, "kind") == kind).expect(kind);
        let app = of_kind("SpinApp");
        assert_eq!(str_at(app, "apiVersion"), "core.spinkube.dev/v1alpha1");
        assert_eq!(str_at(app, "spec.executor"), "containerd-shim-spin");
        assert!(!str_at(app, "spec.image").is_empty());
        for probe in ["readiness", "liveness"] {
            assert_eq!(
                str_at(app, &format!("spec.checks.{probe}.httpGet.path")),
                "/.well-known/spin/health",
                "{file}"
            );
        }
        for kind in ["requests", "limits"] {
            at(app, &format!("spec.resources.{kind}.cpu"));
            at(app, &format!("spec.resources.{kind}.memory"));
        }
        // The operator's webhook: replicas and enableAutoscaling are mutually exclusive.
        let autoscaled = app["spec"]
            .get("enableAutoscaling")
            .and_then(Yaml::as_bool)
            .unwrap_or(false);
        let replicas = app["spec"].get("replicas").and_then(Yaml::as_u64);
        match (autoscaled, replicas) {
            (true, None) => {
                let hpa = of_kind("HorizontalPodAutoscaler");
                assert_eq!(
                    str_at(hpa, "spec.scaleTargetRef.name"),
                    str_at(app, "metadata.name"),
                    "the HPA scales the SpinApp's Deployment"
                );
            }
            (false, Some(n)) => assert!(n >= 2, "{file}: at least two replicas for failover"),
            other => panic!("{file}: replicas/enableAutoscaling {other:?}"),
        }
    }
}

#[test]
fn the_qr_host_deployment_probes_the_admin_port_and_outlasts_the_drain() {
    let deployment = &qr_host_object("deployment");
    let pod = at(deployment, "spec.template.spec");
    let container = at(pod, "containers.0");
    let args: Vec<&str> = list_at(container, "args")
        .iter()
        .filter_map(Yaml::as_str)
        .collect();
    let port_of = |flag: &str| -> u64 {
        let arg = args
            .iter()
            .find(|a| a.starts_with(flag))
            .unwrap_or_else(|| panic!("{flag} in args"));
        arg.rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("a port")
    };
    let ports = list_at(container, "ports").iter();
    let ports: Vec<_> = ports
        .map(|p| (str_at(p, "name"), u64_at(p, "containerPort")))
        .collect();
    assert!(
        ports.contains(&("http", port_of("--listen="))),
        "{ports:?} vs {args:?}"
    );
    assert!(
        ports.contains(&("admin", port_of("--admin-listen="))),
        "{ports:?} vs {args:?}"
    );
    // Probes and hardening, field by field.
    #[rustfmt::skip]
    let fields = [
        (container, "readinessProbe.httpGet.path", Yaml::from("/readyz")),
        (container, "readinessProbe.httpGet.port", "admin".into()),
        (container, "livenessProbe.httpGet.path", "/livez".into()),
        (container, "startupProbe.httpGet.path", "/livez".into()),
        (container, "startupProbe.httpGet.port", "admin".into()),
        (container, "securityContext.readOnlyRootFilesystem", true.into()),
        (pod, "securityContext.seccompProfile.type", "RuntimeDefault".into()),
        (pod, "automountServiceAccountToken", false.into()),
    ];
    for (node, path, want) in fields {
        assert_eq!(at(node, path), &want, "{path}");
    }
    let seconds = |field: &str| u64_at(container, &format!("startupProbe.{field}"));
    let startup_budget = seconds("periodSeconds") * seconds("failureThreshold");
    assert!(
        startup_budget >= 30,
        "a fresh pod compiles the components before it listens: {startup_budget}s is too short"
    );

    let budget = &qr_host_object("pdb");
    assert_eq!(str_at(budget, "kind"), "PodDisruptionBudget");
    assert_eq!(
        at(budget, "spec.selector.matchLabels"),
        at(deployment, "spec.selector.matchLabels")
    );
    assert_eq!(at(budget, "spec.maxUnavailable").as_u64(), Some(1));
    let kustomization = read(&deploy("kubernetes/qr-host/kustomization.yaml"));
    assert!(kustomization.contains("- pdb.yaml"), "{kustomization}");

    let grace = u64_at(pod, "terminationGracePeriodSeconds");
    let pre_stop = u64_at(container, "lifecycle.preStop.sleep.seconds");
    let drain = list_at(container, "env")
        .iter()
        .find(|e| str_at(e, "name") == "QR_HOST_DRAIN_TIMEOUT")
        .map(|e| {
            str_at(e, "value")
                .trim_end_matches('s')
                .parse::<u64>()
                .expect("seconds")
        })
        .expect("QR_HOST_DRAIN_TIMEOUT");
    assert!(
        grace > pre_stop + drain,
        "grace {grace}s must exceed preStop {pre_stop}s + drain {drain}s"
    );

    let service = &qr_host_object("service");
    let mut service_ports = list_at(service, "spec.ports").iter();
    assert!(
        service_ports.all(|p| str_at(p, "targetPort") == "http"),
        "the Service exposes the app port only"
    );
    assert_eq!(
        at(service, "spec.selector"),
        at(deployment, "spec.selector.matchLabels")
    );
}

/// `kubernetes-validate` (PyPI) checks the built-in kinds against the Kubernetes JSON schemas,
/// rejecting unknown fields. `scripts/setup --test` installs it into `target/deploy-venv`.
#[test]
fn the_kubernetes_manifests_validate_against_the_kubernetes_schemas() {
    let validator = qr_tests::venv_program("deploy-venv", "kubernetes-validate");
    let mut command = Command::new(&validator);
    command
        .args(["--kubernetes-version", "1.31.0", "--strict"])
        .args(kubernetes_files());
    let (stdout, stderr) = run_ok(&mut command, "kubernetes-validate");
    let report = stdout + &stderr;
    println!("{report}");
    // SpinApp is a custom resource: no schema there, checked field by field above.
    let passed = report
        .lines()
        .filter(|l| l.contains(" passed for resource "))
        .count();
    assert_eq!(
        passed, 5,
        "Deployment, Service, PodDisruptionBudget and two HPAs validated:\n{report}"
    );
}

/// promtool with `args` in deploy/prometheus; its stdout and stderr.
fn promtool(args: &[&str]) -> String {
    let mut command = Command::new("promtool");
    command.args(args).current_dir(deploy("prometheus"));
    let what = format!("promtool {args:?} (Debian's prometheus: scripts/setup --test)");
    let (stdout, stderr) = run_ok(&mut command, &what);
    stdout + &stderr
}

#[test]
fn promtool_accepts_the_config_and_the_alert_rules_pass_their_unit_tests() {
    promtool(&["check", "config", "prometheus.yml"]);
    promtool(&["check", "rules", "alerts.yml"]);
    let report = promtool(&["test", "rules", "alerts.test.yml"]);
    assert!(report.contains("SUCCESS"), "{report}");
}

/// `qr_host_*` names in `text`, without the histogram suffixes.
fn qr_host_metric_names(text: &str) -> BTreeSet<String> {
    let name = regex::Regex::new("qr_host_[a-z_]*").expect("a regex");
    let base = |name: &str| {
        let suffixes = ["_bucket", "_count", "_sum"];
        suffixes
            .iter()
            .fold(name, |n, s| n.strip_suffix(s).unwrap_or(n))
            .to_owned()
    };
    name.find_iter(text).map(|m| base(m.as_str())).collect()
}

#[test]
fn the_dashboard_and_the_alerts_name_only_metrics_a_running_host_exposes() {
    let dashboard: Json = serde_json::from_str(&read(&deploy("grafana/qr-host-cluster.json")))
        .expect("dashboard JSON");
    let panels = dashboard["panels"].as_array().expect("panels");
    assert!(!panels.is_empty());
    let mut exprs = String::new();
    for panel in panels {
        let title = &panel["title"];
        let targets = panel["targets"]
            .as_array()
            .unwrap_or_else(|| panic!("panel {title}: no targets"));
        assert!(!targets.is_empty() && panel["title"].is_string(), "{panel}");
        for target in targets {
            let expr = target["expr"].as_str();
            exprs.push_str(expr.unwrap_or_else(|| panic!("panel {title}: a target without expr")));
            exprs.push('\n');
        }
    }
    exprs.push_str(&read(&deploy("prometheus/alerts.yml")));
    let used = qr_host_metric_names(&exprs);

    // prometheus-client prints a labelled family only once it has a sample: give every one a
    // reason (a request, a trap, a timeout, a memory refusal, a rejection).
    let host = Host::builder(fixtures_manifest())
        .args(["--request-timeout", "500ms", "--max-body-bytes", "1024"])
        .start();
    for path in ["/hello/metrics", "/panic", "/loop", "/hog"] {
        host.get(path);
    }
    host.post("/hello/big", "text/plain", vec![b'x'; 2048]);
    let exposed = qr_host_metric_names(host.metrics().text());
    host.shutdown();
    let unknown: Vec<_> = used.difference(&exposed).collect();
    assert!(
        unknown.is_empty(),
        "dashboard/alerts use metrics qr-host does not expose: {unknown:?}\nexposed: {exposed:?}"
    );
    assert!(
        used.len() >= 8,
        "the dashboard covers the host's metrics: {used:?}"
    );
}

#[test]
fn nginx_accepts_the_rendered_config_with_retries_bounded_and_the_body_limit_set() {
    let hosts: Vec<SocketAddr> = (3001..=3004)
        .map(|port| SocketAddr::from(([127, 0, 0, 1], port)))
        .collect();
    let config = qr_tests::cluster::render(&["--max-body-bytes".into(), "16777216".into()], &hosts);
    assert_eq!(
        config.matches("server 127.0.0.1:300").count(),
        4,
        "one upstream entry per host"
    );
    for directive in [
        "least_conn;",
        "client_max_body_size 16777216;",
        "proxy_next_upstream error timeout http_502 non_idempotent;",
        "proxy_next_upstream_tries 3;",
        "stub_status;",
        "keepalive 32;",
    ] {
        assert!(config.contains(directive), "missing `{directive}`");
    }
    let prefix = tempfile::tempdir().expect("temp prefix");
    qr_tests::cluster::write_checked_config(prefix.path(), &config);

    let no_hosts = Command::new(deploy("nginx/render"))
        .output()
        .expect("render");
    assert!(
        !no_hosts.status.success(),
        "rendering without hosts is an error"
    );
}

/// The Dockerfile's exec-form instruction (`ENTRYPOINT`, `CMD`) as its JSON array.
fn exec_form(dockerfile: &str, instruction: &str) -> Vec<String> {
    let line = dockerfile
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{instruction} ")))
        .unwrap_or_else(|| panic!("no {instruction} in the Dockerfile"));
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{instruction} is not exec form: {e}"))
}

/// The command line Kubernetes runs for the qr-host Deployment: the image's ENTRYPOINT, then the
/// container's `args`, which replace the image's CMD (they are never appended to it).
fn deployment_command_line() -> Vec<String> {
    let dockerfile = read(&deploy("docker/Dockerfile"));
    let deployment = qr_host_object("deployment");
    let container = at(&deployment, "spec.template.spec.containers.0");
    let mut argv = exec_form(&dockerfile, "ENTRYPOINT");
    match container.get("args") {
        Some(_) => {
            let args = list_at(container, "args").iter();
            argv.extend(args.map(|a| a.as_str().expect("string args").to_owned()));
        }
        None => argv.extend(exec_form(&dockerfile, "CMD")),
    }
    argv
}

/// The container's command line, run by the real qr-host with only its in-image paths and
/// listen addresses moved onto this machine (the manifest, a fresh cache, loopback port 0):
/// every flag stays, so a flag given twice or one qr-host does not know fails here.
/// [`container`] runs the unchanged line inside the built image.
#[test]
fn the_deployments_command_line_starts_the_real_qr_host() {
    let argv = deployment_command_line();
    assert_eq!(argv[0], "/usr/local/bin/qr-host", "{argv:?}");
    let cache = tempfile::tempdir().expect("a cache dir");
    let manifest = qr_tests::app_manifest();
    let local: Vec<String> = argv[1..]
        .iter()
        .map(|arg| match arg.split_once('=') {
            Some((flag @ ("--listen" | "--admin-listen"), _)) => format!("{flag}=127.0.0.1:0"),
            Some(("--cache-dir", _)) => format!("--cache-dir={}", cache.path().display()),
            _ if arg == "/app/spin.toml" => manifest.display().to_string(),
            _ => arg.clone(),
        })
        .collect();
    assert!(
        local.iter().any(|a| a == &manifest.display().to_string()),
        "the command line names the image's manifest /app/spin.toml: {argv:?}"
    );
    let mut command = Command::new(qr_tests::host_binary());
    command.args(&local);
    let host = Host::from_command(qr_tests::HostKind::QrHost, command);
    assert_eq!(host.get("/health").status(), 200);
    host.shutdown();
}

#[test]
fn the_image_runs_unprivileged_and_exposes_both_listeners() {
    let dockerfile = read(&deploy("docker/Dockerfile"));
    let user = dockerfile
        .lines()
        .rev()
        .find(|l| l.starts_with("USER"))
        .expect("a USER");
    assert!(
        !user.contains("root") && !user.ends_with(" 0"),
        "the image runs unprivileged: {user}"
    );
    for port in ["3000", "9300"] {
        assert!(
            dockerfile
                .lines()
                .any(|l| l.starts_with("EXPOSE") && l.contains(port)),
            "EXPOSE {port}"
        );
    }
}
