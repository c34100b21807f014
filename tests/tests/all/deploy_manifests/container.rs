//! The qr-host image, built and run for real with Debian's podman (as root, under
//! `deploy/docker/containers.conf`): `deploy/docker/build-image` builds `deploy/docker/Dockerfile`
//! on the locally made base (`scripts/setup --test`), then the image runs the way the qr-host
//! Deployment runs it: its `args` after the image's ENTRYPOINT, its environment, user, read-only
//! root, dropped capabilities, memory and CPU limits, and an empty writable cache volume. The
//! listeners are published on loopback only. The API answers, the probes' endpoints answer,
//! memory under a bounded load stays inside the Deployment's limit, and SIGTERM drains an
//! in-flight request and exits 0.

use super::{at, deploy, deployment_command_line, list_at, qr_host_object, str_at, u64_at};
use crate::readback::ok_json;
use qr_tests::{Host, HostKind, assert_problem, run_ok, wait_until, workspace_root};
use serde_norway::Value as Yaml;
use std::io::Write as _;
use std::net::SocketAddr;
use std::process::Command;
use std::thread;
use std::time::Instant;

/// The tag the test builds, with the test process's id appended: local only, never pushed, and
/// distinct for test runs that share the machine's podman storage at the same time.
fn image() -> String {
    format!("localhost/qr-host:ci-test-{}", std::process::id())
}

/// Requests in the load that measures memory: bounded, a few seconds on two cores.
const LOAD_REQUESTS_PER_WORKER: usize = 60;

/// Workers in that load: the Deployment's `QR_HOST_MAX_CONCURRENCY` plus as many queued.
const LOAD_WORKERS: usize = 4;

/// `podman` with the project's containers.conf (runc, cgroupfs, ulimits).
fn podman() -> Command {
    with_conf(Command::new("podman"))
}

/// `command` (podman, or a script that runs it) with the project's containers.conf.
fn with_conf(mut command: Command) -> Command {
    let conf = workspace_root().join("deploy/docker/containers.conf");
    command.env("CONTAINERS_CONF", conf);
    command
}

/// Removes the named container, then the image, when dropped, whatever happened to the test
/// (killing the `podman run` client alone would leave the container running). The base image
/// stays; each run builds the image anew in seconds, so runs leave no layers behind.
struct Removal {
    container: String,
}

impl Drop for Removal {
    fn drop(&mut self) {
        let _ = podman()
            .args(["rm", "--force", "--time", "0", &self.container])
            .output();
        let _ = podman().args(["rmi", "--force", &image()]).output();
    }
}

/// Kubernetes quantities as the Deployment writes them: `1Gi`, `256Mi`, `500m`, `2`.
fn quantity(value: &Yaml) -> f64 {
    let text = match value {
        Yaml::String(s) => s.clone(),
        Yaml::Number(n) => n.to_string(),
        other => panic!("not a quantity: {other:?}"),
    };
    let (number, factor) = [("Gi", 1u64 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)]
        .iter()
        .find_map(|(suffix, factor)| Some((text.strip_suffix(suffix)?, *factor as f64)))
        .or_else(|| Some((text.strip_suffix('m')?, 0.001)))
        .unwrap_or((text.as_str(), 1.0));
    number.parse::<f64>().expect("a number") * factor
}

/// The loopback address podman published for the container's `port`.
fn published(name: &str, port: u64) -> SocketAddr {
    let mut command = podman();
    command.args(["port", name, &format!("{port}/tcp")]);
    let out = run_ok(&mut command, "podman port").0;
    out.lines()
        .next()
        .and_then(|line| line.trim().parse().ok())
        .unwrap_or_else(|| panic!("podman port {name} {port}: {out:?}"))
}

/// The container's memory cgroup (v1 here: the machines run the hybrid layout): usage, peak and
/// how often the limit was hit, the figures the kubelet and the OOM killer act on.
fn memory_cgroup(name: &str) -> std::path::PathBuf {
    let mut command = podman();
    command.args(["inspect", "--format", "{{.State.CgroupPath}}", name]);
    let path = run_ok(&mut command, "podman inspect").0.trim().to_owned();
    let dir = std::path::Path::new("/sys/fs/cgroup/memory").join(path.trim_start_matches('/'));
    assert!(dir.is_dir(), "no memory cgroup at {}", dir.display());
    dir
}

fn cgroup_value(dir: &std::path::Path, file: &str) -> u64 {
    std::fs::read_to_string(dir.join(file))
        .unwrap_or_else(|e| panic!("{}/{file}: {e}", dir.display()))
        .trim()
        .parse()
        .expect("a number")
}

#[test]
fn the_image_serves_the_api_with_the_deployments_command_line_and_limits_and_drains() {
    let deployment = &qr_host_object("deployment");
    let pod = at(deployment, "spec.template.spec");
    let spec = at(pod, "containers.0");
    let argv = deployment_command_line();

    let name = format!("qr-host-ci-test-{}", std::process::id());
    let _removal = Removal {
        container: name.clone(),
    };
    // Build from what scripts/build made; --pull=never: the base must be the local one.
    let started = Instant::now();
    let mut build = with_conf(Command::new(deploy("docker/build-image")));
    build.args(["--pull=never", "--quiet", "-t", &image()]);
    run_ok(
        &mut build,
        "deploy/docker/build-image (podman: scripts/setup --test)",
    );
    let build_time = started.elapsed();
    let mut inspect = podman();
    inspect.args([
        "image",
        "inspect",
        "--format",
        "{{.Size}} {{json .Config.Entrypoint}} {{.Config.User}}",
        &image(),
    ]);
    let info = run_ok(&mut inspect, "podman image inspect").0;
    let mut words = info.split_whitespace();
    let size: u64 = words.next().and_then(|s| s.parse().ok()).expect("size");
    let entrypoint: Vec<String> =
        serde_json::from_str(words.next().expect("entrypoint")).expect("a JSON list");
    assert_eq!(
        entrypoint,
        argv[..1],
        "the image's ENTRYPOINT is the Deployment's"
    );
    let uid = u64_at(pod, "securityContext.runAsUser") as u32;
    let gid = u64_at(pod, "securityContext.runAsGroup");
    let user = format!("{uid}:{gid}");
    assert_eq!(words.next(), Some(user.as_str()), "the image's USER");

    // The Deployment's pod, as far as podman can be it.
    let cache = tempfile::tempdir().expect("cache dir (the pod's emptyDir)");
    std::os::unix::fs::chown(cache.path(), Some(uid), Some(uid)).expect("chown the cache dir");
    let memory_limit = quantity(at(spec, "resources.limits.memory"));
    let cpu_limit = quantity(at(spec, "resources.limits.cpu"));
    // What the podman flags below stand for.
    #[rustfmt::skip]
    let fields = [
        ("volumeMounts.0.mountPath", Yaml::from("/var/cache/qr-host")),
        ("securityContext.readOnlyRootFilesystem", true.into()),
        ("securityContext.capabilities.drop.0", "ALL".into()),
        ("securityContext.allowPrivilegeEscalation", false.into()),
    ];
    for (path, want) in fields {
        assert_eq!(at(spec, path), &want, "{path}");
    }
    let port = |port_name: &str| {
        list_at(spec, "ports")
            .iter()
            .find(|p| str_at(p, "name") == port_name)
            .and_then(|p| p["containerPort"].as_u64())
            .unwrap_or_else(|| panic!("port {port_name}"))
    };
    let mut run = podman();
    let memory = memory_limit as u64;
    let volume = format!("--volume={}:/var/cache/qr-host", cache.path().display());
    run.args(["run", "--rm", "--name", &name, "--pull=never"])
        .args(["--user", &user, "--read-only", "--cap-drop=ALL"])
        .args(["--security-opt=no-new-privileges", &volume])
        .args([
            format!("--memory={memory}"),
            format!("--memory-swap={memory}"),
        ])
        .arg(format!("--cpus={cpu_limit}"))
        .args(["http", "admin"].map(|p| format!("--publish=127.0.0.1::{}", port(p))));
    let env = list_at(spec, "env").iter();
    run.args(env.map(|var| format!("--env={}={}", str_at(var, "name"), str_at(var, "value"))));
    // Kubernetes semantics: the image's ENTRYPOINT, then `args` in place of CMD.
    run.arg(image()).args(&argv[1..]);

    let started = Instant::now();
    let host = Host::from_command(HostKind::Container, run);
    let host = host.with_addrs(
        published(&name, port("http")),
        published(&name, port("admin")),
    );
    assert!(
        host.startup_line()
            .contains("http://0.0.0.0:3000 admin http://0.0.0.0:9300"),
        "{}",
        host.startup_line()
    );
    let generated = host.post(
        "/generate",
        "application/json",
        r#"{"data":"https://example.com/product/123"}"#,
    );
    let first_200 = started.elapsed();
    assert_eq!(generated.status(), 200);
    assert_eq!(generated.headers()["content-type"], "image/png");
    let png = generated.bytes().expect("the PNG").to_vec();
    println!(
        "image {}: {:.1} MB, built in {:.1} s; start -> first 200 with an empty cache {} ms",
        image(),
        size as f64 / 1e6,
        build_time.as_secs_f64(),
        first_200.as_millis()
    );

    // The API: a round trip, the app's health, Spin's health path, problem+json from the app
    // and from the host.
    let decoded = ok_json(host.post("/decode", "image/png", png.clone()));
    assert_eq!(decoded["data"], "https://example.com/product/123");
    assert_eq!(ok_json(host.get("/health"))["status"], "ok");
    assert_eq!(host.get("/.well-known/spin/health").status(), 200);
    let too_large = vec![0u8; qr_core::limits::MAX_DECODE_BODY_BYTES + 1];
    let decode = |content_type, body: Vec<u8>| host.post("/decode", content_type, body);
    let not_json = host.post("/generate", "application/json", "not json");
    for (response, status, kind) in [
        (host.get("/nope"), 404, "#not-found"),
        (host.get("/decode"), 405, "#method-not-allowed"),
        (not_json, 400, "#invalid-json"),
        (
            decode("text/plain", b"not an image".into()),
            415,
            "#unsupported-image",
        ),
        (decode("image/png", too_large), 413, "#body-too-large"),
    ] {
        assert_problem(response, status, kind);
    }

    // Every probe of the Deployment, on the port it names, answers 200 from the container.
    for probe in ["startupProbe", "readinessProbe", "livenessProbe"] {
        let path = str_at(spec, &format!("{probe}.httpGet.path"));
        let addr = published(&name, port(str_at(spec, &format!("{probe}.httpGet.port"))));
        let status = host
            .client()
            .get(format!("http://{addr}{path}"))
            .send()
            .unwrap_or_else(|e| panic!("{probe} {path}: {e}"))
            .status();
        assert_eq!(status, 200, "{probe} {path}");
    }

    // Memory under a bounded load of decodes of a phone photo and generations, measured by the
    // container's own cgroup, against the Deployment's limit (which podman enforces here too).
    let photo = qr_tests::shared_file("qr-corpus/zxing-java/qrcode-2/1.png");
    thread::scope(|scope| {
        for worker in 0..LOAD_WORKERS {
            let (host, photo, png) = (&host, &photo, &png);
            scope.spawn(move || {
                for i in 0..LOAD_REQUESTS_PER_WORKER {
                    let response = match (worker + i) % 3 {
                        0 => host.post("/decode", "image/png", photo.clone()),
                        1 => host.post("/decode", "image/png", png.clone()),
                        _ => host.get(&format!("/generate?data={i}&scale=20")),
                    };
                    assert_eq!(response.status(), 200);
                }
            });
        }
    });
    let cgroup = memory_cgroup(&name);
    let peak = cgroup_value(&cgroup, "memory.max_usage_in_bytes");
    let now = cgroup_value(&cgroup, "memory.usage_in_bytes");
    let request = quantity(at(spec, "resources.requests.memory"));
    println!(
        "container memory after {} requests: {:.0} MiB now, peak {:.0} MiB; Deployment request {:.0} MiB, limit {:.0} MiB",
        LOAD_WORKERS * LOAD_REQUESTS_PER_WORKER,
        now as f64 / 1048576.0,
        peak as f64 / 1048576.0,
        request / 1048576.0,
        memory_limit / 1048576.0
    );
    assert_eq!(
        cgroup_value(&cgroup, "memory.failcnt"),
        0,
        "the memory limit was hit"
    );
    assert!(
        (peak as f64) < memory_limit / 2.0,
        "peak {peak} B leaves less than half the limit as headroom"
    );

    // SIGTERM with a request in flight (its upload held halfway): readiness turns 503, the
    // request completes with its full answer, and the container exits 0.
    // The body is read from a pipe: the first half is in it, the rest comes when written.
    let (body, mut upload) = std::io::pipe().expect("a pipe");
    let half = png.len() / 2;
    upload.write_all(&png[..half]).expect("the first half");
    let held = thread::scope(|scope| {
        let body = reqwest::blocking::Body::new(body);
        let in_flight = scope.spawn(|| host.post("/decode", "image/png", body));
        // qr-host reads a body in full before the request takes a wasm slot, so "in flight"
        // here means the host holds the first half of the upload.
        wait_until("the host to hold the first half of the upload", || {
            host.metric("qr_host_body_buffer_bytes", &[]) >= half as f64
        });
        host.terminate();
        wait_until("readiness to turn 503", || {
            let readyz = host.client().get(host.admin_url("/readyz")).send();
            readyz.is_ok_and(|r| r.status() == 503)
        });
        upload.write_all(&png[half..]).expect("the rest");
        drop(upload);
        in_flight.join().expect("held request thread")
    });
    let decoded = ok_json(held);
    assert_eq!(decoded["data"], "https://example.com/product/123");
    let (status, logs) = host.wait();
    assert!(status.success(), "container exit {status}:\n{logs}");
    assert!(logs.contains("drained"), "{logs}");
}
