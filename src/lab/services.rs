//! The routed lab's services (`lab up --routed --services [--nat]`): what runs where, the
//! configuration text and pages, and the steps that start, repair and stop them, planned from
//! what exists (pure: [`super::system`] runs the steps).
//!
//! Every service is a real Debian program started with `ip netns exec` in a lab namespace:
//!
//! - on S (10.0.4.1 and 10.0.4.2, fd00:4::1): `dnsmasq` authoritative for the zone
//!   `wirelab.test` and its reverse zone (auth mode), and `nginx` serving the course's pages
//!   on port 80 of both addresses and TLS 1.2 on 10.0.4.1:443 with a certificate signed by a
//!   lab CA `openssl` makes at `lab up`;
//! - on R: `unbound` as the computers' resolver on 10.0.3.254 (it asks only S, for
//!   `wirelab.test` and `4.0.10.in-addr.arpa`, and refuses the rest), `dnsmasq` as the DHCP server on
//!   `eth1` for 10.0.4.0/24, and with `--nat` an nftables table masquerading 10.0.3.0/24 out of
//!   `eth1`;
//! - D (`wl<lab>-D`): a host with no address on the 10.0.4 link's switch, for DHCP clients;
//! - `/etc/netns/wl<lab>-{A,B,C,D}/resolv.conf`, which `ip netns exec` puts in place of
//!   `/etc/resolv.conf` there (so a DHCP client in D writes the lab's copy, not the host's).
//!
//! Configs, pid files, logs, the CA, keys and leases live in the lab's state directory
//! ([`Topology::state_dir`]), which `lab down` removes with the namespaces and the
//! `/etc/netns` directories. Nothing is added to the host's own namespace.

use std::net::Ipv4Addr;

use super::topology::{
    Cmd, Extra, Observed, ProcState, Routed, Step, SwitchMode, Topology, Wire, plan_lab_extra,
    plan_wire, sysctl_no_ipv6,
};

/// What `--services` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Services {
    /// Masquerade the lab network (10.0.3.0/24) out of R's `eth1` (`--nat`).
    pub nat: bool,
}

/// The lab's DNS zone.
pub const ZONE: &str = "wirelab.test";
/// The reverse zone of 10.0.4.0/24.
pub const REVERSE_ZONE: &str = "4.0.10.in-addr.arpa";
/// S's second address (the second web server, `images.wirelab.test`).
pub const SERVER2: Ipv4Addr = Ipv4Addr::new(10, 0, 4, 2);
/// D's MAC address.
pub const CLIENT_MAC: [u8; 6] = [0x02, 0, 0, 0, 0x04, 0x0d];
/// D's port on the 10.0.4 link's switch.
pub const CLIENT_PORT: &str = "pD";
/// The DHCP pool's first and last addresses.
pub const POOL: (Ipv4Addr, Ipv4Addr) = (Ipv4Addr::new(10, 0, 4, 100), Ipv4Addr::new(10, 0, 4, 199));
/// The DHCP lease time in seconds.
pub const LEASE_SECS: u32 = 3600;
/// The user of the page behind Basic authentication.
pub const AUTH_USER: &str = "wireshark-students";
/// Its password.
pub const AUTH_PASSWORD: &str = "network";
/// The nftables table R's NAT lives in.
pub const NAT_TABLE: &str = "wirelab_nat";
/// The TLS server's name.
pub const TLS_NAME: &str = "www.wirelab.test";
/// The lab CA's name (its certificate's common name).
pub const CA_NAME: &str = "wirelab lab CA";

/// The web pages: path under the document root, contents.
pub const PAGES: [(&str, &[u8]); 11] = [
    ("index.html", include_bytes!("services/index.html")),
    (
        "wireshark-labs/INTRO-wireshark-file1.html",
        include_bytes!("services/INTRO-wireshark-file1.html"),
    ),
    (
        "wireshark-labs/HTTP-wireshark-file1.html",
        include_bytes!("services/HTTP-wireshark-file1.html"),
    ),
    (
        "wireshark-labs/HTTP-wireshark-file2.html",
        include_bytes!("services/HTTP-wireshark-file2.html"),
    ),
    (
        "wireshark-labs/HTTP-wireshark-file3.html",
        include_bytes!("services/HTTP-wireshark-file3.html"),
    ),
    (
        "wireshark-labs/HTTP-wireshark-file4.html",
        include_bytes!("services/HTTP-wireshark-file4.html"),
    ),
    (
        "wireshark-labs/protected_pages/HTTP-wireshark-file5.html",
        include_bytes!("services/HTTP-wireshark-file5.html"),
    ),
    ("pearson.png", include_bytes!("services/pearson.png")),
    (
        "8E_cover_small.jpg",
        include_bytes!("services/8E_cover_small.jpg"),
    ),
    (
        "kurose_ross/index.html",
        include_bytes!("services/kurose_ross.html"),
    ),
    (
        "kurose_ross/header_graphic_book_8E_2.jpg",
        include_bytes!("services/header_graphic_book_8E_2.jpg"),
    ),
];

/// The TLS server's home page.
pub const TLS_PAGE: &[u8] = include_bytes!("services/tls-index.html");

/// One server program of the lab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// A short name (`dns`, `resolver`, `dhcp`, `web`).
    pub key: &'static str,
    /// What it is, in words.
    pub what: &'static str,
    /// The letter of the host it runs on (R or S).
    pub host: char,
    /// Its namespace.
    pub netns: String,
    /// Its config file (its running process names it: that is how it is found again).
    pub conf: String,
    /// The program and its arguments.
    pub argv: Vec<String>,
    /// Its start-up log.
    pub log: String,
}

impl Server {
    /// True when `p` is this server's process (its main one, or a worker naming its config).
    pub fn is(&self, p: &ProcState) -> bool {
        p.argv.iter().any(|a| a.contains(&self.conf))
    }

    /// Its running processes in `obs`.
    pub fn running<'a>(&self, obs: &'a Observed) -> Vec<&'a ProcState> {
        obs.procs(&self.netns)
            .iter()
            .filter(|p| self.is(p))
            .collect()
    }
}

/// True for a process to stop before the others of its namespace (nginx's master).
pub fn is_main_process(p: &ProcState) -> bool {
    p.is_server_master()
}

/// The steps that make the lab what [`super::topology::plan_lab`] says and, with `services`
/// (routed lab only), host D on the 10.0.4 link and the servers on R and S. Without
/// `services`, the services that exist are left as they are (D keeps its switch port).
pub fn plan_lab_with(
    topo: &Topology,
    lan: &SwitchMode,
    routed: Option<&Routed>,
    services: Option<&Services>,
    obs: &Observed,
) -> Vec<Step> {
    let services = routed.and(services);
    let mut extra = Extra::default();
    if services.is_some() {
        plan_client_host(topo, obs, &mut extra.hosts);
    }
    if services.is_some() || obs.namespaces.contains_key(&topo.dhcp_client_ns()) {
        extra.wan_ports.push(CLIENT_PORT.to_string());
    }
    let mut steps = plan_lab_extra(topo, lan, routed, extra, obs);
    if let (Some(r), Some(s)) = (routed, services) {
        steps.extend(plan_services(topo, r, s, obs));
    }
    steps
}

fn state(topo: &Topology, file: &str) -> String {
    format!("{}/{file}", topo.state_dir())
}

/// The lab's four servers: S's DNS and web server, R's resolver and DHCP server.
pub fn servers(topo: &Topology) -> Vec<Server> {
    let dnsmasq = |key: &'static str, what: &'static str, host: char, netns: String| {
        let conf = state(topo, &format!("dnsmasq-{key}.conf"));
        Server {
            key,
            what,
            host,
            netns,
            argv: vec!["dnsmasq".into(), format!("--conf-file={conf}")],
            conf,
            log: state(topo, &format!("dnsmasq-{key}.out")),
        }
    };
    let nginx_conf = state(topo, "nginx.conf");
    let resolver = state(topo, "unbound.conf");
    vec![
        dnsmasq(
            "dns",
            "authoritative DNS for wirelab.test (dnsmasq)",
            'S',
            topo.server_ns(),
        ),
        Server {
            key: "web",
            what: "web server, HTTP on 10.0.4.1 and 10.0.4.2, TLS 1.2 on 10.0.4.1:443 (nginx)",
            host: 'S',
            netns: topo.server_ns(),
            argv: vec![
                "nginx".into(),
                "-c".into(),
                nginx_conf.clone(),
                "-e".into(),
                state(topo, "nginx-error.log"),
            ],
            conf: nginx_conf,
            log: state(topo, "nginx.out"),
        },
        Server {
            key: "resolver",
            what: "DNS resolver for A, B, C on 10.0.3.254 and fd00:3::fe (unbound)",
            host: 'R',
            netns: topo.router_ns(),
            argv: vec!["unbound".into(), "-c".into(), resolver.clone()],
            conf: resolver,
            log: state(topo, "unbound.out"),
        },
        dnsmasq(
            "dhcp",
            "DHCP server on eth1 for 10.0.4.0/24 (dnsmasq)",
            'R',
            topo.router_ns(),
        ),
    ]
}

/// The authoritative server's config (S).
pub fn dns_conf(topo: &Topology, v6: bool) -> String {
    let mut listen = format!("{},{SERVER2}", Topology::SERVER);
    if v6 {
        listen.push_str(&format!(",{}", Topology::SERVER6));
    }
    // www keeps its AAAA record when the 10.0.4 link carries no IPv6 (`--mtu` below 1280), as
    // a real zone would: a query for it still gets its answer (the IP lab's Part 3 asks for
    // it), and clients fall back to IPv4.
    let six = format!(",{}", Topology::SERVER6);
    format!(
        "# wirelab lab services: the authoritative DNS server of {ZONE} on S (dnsmasq auth mode).
# Nothing is forwarded anywhere: no-resolv, no upstream server.
no-resolv
no-hosts
no-poll
bind-interfaces
listen-address={listen}
user=root
pid-file={pid}
log-facility={log}
log-queries
auth-server=ns1.{ZONE},eth0
auth-sec-servers=ns2.{ZONE}
auth-zone={ZONE},10.0.4.0/24,fd00:4::/64
auth-soa=2026120101,hostmaster.{ZONE},1200,120,604800,3600
auth-ttl=3600
host-record=www.{ZONE},{s1}{six}
host-record=ns1.{ZONE},{s1}
host-record=ns2.{ZONE},{SERVER2}
host-record=gaia.{ZONE},{s1}
host-record=images.{ZONE},{SERVER2}
host-record=mail.{ZONE},{s1}
ptr-record={REVERSE_1},www.{ZONE}
cname=web.{ZONE},www.{ZONE}
mx-host={ZONE},mail.{ZONE},10
",
        s1 = Topology::SERVER,
        pid = state(topo, "dnsmasq-dns.pid"),
        log = state(topo, "dnsmasq-dns.log"),
    )
}

const REVERSE_1: &str = "1.4.0.10.in-addr.arpa";

/// The resolver's config (R, 10.0.3.254 and fd00:3::fe, so a query can travel over IPv6 as
/// in the IP lab's Part 3): unbound, a recursive resolver, so its answers are
/// not authoritative (AA=0; dnsmasq would pass S's AA=1 on). It knows only S, for
/// `wirelab.test` and `4.0.10.in-addr.arpa` (stub zones), and refuses every other name: no
/// root hints, nothing leaves the lab.
pub fn resolver_conf(topo: &Topology) -> String {
    format!(
        "# wirelab lab services: the resolver of A, B and C on R (unbound).
server:
    interface: {gw}
    interface: {gw6}
    port: 53
    access-control: 10.0.3.0/24 allow
    access-control: fd00:3::/64 allow
    do-ip6: yes
    prefer-ip4: yes
    do-daemonize: yes
    username: \"\"
    chroot: \"\"
    directory: \"{dir}\"
    pidfile: \"{pid}\"
    logfile: \"{log}\"
    use-syslog: no
    log-queries: yes
    module-config: \"iterator\"
    root-hints: \"\"
    qname-minimisation: no
    harden-referral-path: no
    local-zone: \".\" refuse
    local-zone: \"{ZONE}.\" transparent
    local-zone: \"10.in-addr.arpa.\" nodefault
    local-zone: \"{REVERSE_ZONE}.\" transparent
    domain-insecure: \"{ZONE}\"
    domain-insecure: \"{REVERSE_ZONE}\"
stub-zone:
    name: \"{ZONE}\"
    stub-addr: {s1}
stub-zone:
    name: \"{REVERSE_ZONE}\"
    stub-addr: {s1}
",
        gw = Topology::GATEWAY,
        gw6 = Topology::GATEWAY6,
        s1 = Topology::SERVER,
        dir = topo.state_dir(),
        pid = state(topo, "unbound.pid"),
        log = state(topo, "unbound.log"),
    )
}

/// The DHCP server's config (R's `eth1`).
pub fn dhcp_conf(topo: &Topology) -> String {
    format!(
        "# wirelab lab services: the DHCP server of 10.0.4.0/24 on R's eth1 (dnsmasq, no DNS).
port=0
interface=eth1
bind-interfaces
user=root
pid-file={pid}
log-facility={log}
log-dhcp
dhcp-authoritative
dhcp-range={lo},{hi},255.255.255.0,{LEASE_SECS}
dhcp-option=option:router,{gw}
dhcp-option=option:dns-server,{s1}
dhcp-option=option:domain-name,{ZONE}
dhcp-leasefile={leases}
",
        lo = POOL.0,
        hi = POOL.1,
        gw = Topology::WAN_GATEWAY,
        s1 = Topology::SERVER,
        pid = state(topo, "dnsmasq-dhcp.pid"),
        log = state(topo, "dnsmasq-dhcp.log"),
        leases = state(topo, "dhcp.leases"),
    )
}

/// nginx's config (S).
pub fn nginx_conf(topo: &Topology, v6: bool) -> String {
    let (v6_80, v6_443) = if v6 {
        (
            format!("        listen [{}]:80;\n", Topology::SERVER6),
            format!("        listen [{}]:443 ssl;\n", Topology::SERVER6),
        )
    } else {
        (String::new(), String::new())
    };
    format!(
        "# wirelab lab services: the web servers on S (nginx). Port 80 of 10.0.4.1 (gaia, www)
# and 10.0.4.2 (images) serve the same pages for any Host; 10.0.4.1:443 is TLS 1.2 only.
worker_processes 1;
pid {pid};
error_log {err};
events {{
    worker_connections 64;
}}
http {{
    types {{
        text/html html;
        image/png png;
        image/jpeg jpg;
    }}
    default_type application/octet-stream;
    access_log {access};
    sendfile off;
    keepalive_timeout 65;
    client_body_temp_path {tmp}-body;
    proxy_temp_path {tmp}-proxy;
    fastcgi_temp_path {tmp}-fastcgi;
    uwsgi_temp_path {tmp}-uwsgi;
    scgi_temp_path {tmp}-scgi;
    server {{
        listen {s1}:80;
        listen {s2}:80;
{v6_80}        server_name _;
        root {www};
        index index.html;
        location /wireshark-labs/protected_pages/ {{
            auth_basic \"wireshark-students only\";
            auth_basic_user_file {htpasswd};
        }}
    }}
    server {{
        listen {s1}:443 ssl;
{v6_443}        server_name {TLS_NAME};
        root {tls};
        index index.html;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2;
        ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384;
        ssl_prefer_server_ciphers on;
    }}
}}
",
        pid = state(topo, "nginx.pid"),
        err = state(topo, "nginx-error.log"),
        access = state(topo, "nginx-access.log"),
        tmp = state(topo, "nginx-tmp"),
        s1 = Topology::SERVER,
        s2 = SERVER2,
        www = state(topo, "www"),
        htpasswd = state(topo, "htpasswd"),
        tls = state(topo, "tls"),
        cert = state(topo, "server.pem"),
        key = state(topo, "server.key"),
    )
}

/// The NAT table R loads with `nft -f` (`--nat`).
pub fn nat_rules() -> String {
    format!(
        "# wirelab lab services: NAT on R. Inside: eth0 (10.0.3.0/24); outside: eth1.
table ip {NAT_TABLE} {{
    chain postrouting {{
        type nat hook postrouting priority srcnat; policy accept;
        ip saddr 10.0.3.0/24 oifname \"eth1\" masquerade
    }}
}}
"
    )
}

/// The resolv.conf of the lab's hosts.
pub fn resolv_conf(letter: char) -> String {
    match letter {
        'D' => format!(
            "# wirelab lab: D's resolv.conf (a DHCP client here writes this copy)\nnameserver {}\nsearch {ZONE}\n",
            Topology::SERVER
        ),
        _ => format!(
            "# wirelab lab: the resolver is R\nnameserver {}\nsearch {ZONE}\n",
            Topology::GATEWAY
        ),
    }
}

/// The OpenSSL extensions of the server certificate.
pub fn server_ext() -> String {
    format!(
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n\
         extendedKeyUsage=serverAuth\nsubjectAltName=DNS:{TLS_NAME}\n"
    )
}

/// `/etc/netns/<ns>` of each host that gets a resolv.conf: A, B, C and D.
pub fn etc_netns_dirs(topo: &Topology) -> Vec<(char, String)> {
    "ABCD"
        .chars()
        .filter_map(|l| topo.node_ns(l).map(|ns| (l, format!("/etc/netns/{ns}"))))
        .collect()
}

/// A file the services need, and the server to restart when it changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WantedFile {
    /// Its path.
    pub path: String,
    /// Its contents.
    pub contents: Vec<u8>,
    /// The server that reads it at start (by [`Server::key`]).
    pub restarts: Option<&'static str>,
}

/// Every file of the services written as text from this module (the CA, keys and htpasswd are
/// made by `openssl` instead).
pub fn wanted_files(topo: &Topology, routed: &Routed, svc: &Services) -> Vec<WantedFile> {
    let v6 = routed.wan_ipv6();
    let f = |path: String, contents: String, restarts| WantedFile {
        path,
        contents: contents.into_bytes(),
        restarts,
    };
    let mut v = vec![
        f(
            state(topo, "dnsmasq-dns.conf"),
            dns_conf(topo, v6),
            Some("dns"),
        ),
        f(
            state(topo, "unbound.conf"),
            resolver_conf(topo),
            Some("resolver"),
        ),
        f(
            state(topo, "dnsmasq-dhcp.conf"),
            dhcp_conf(topo),
            Some("dhcp"),
        ),
        f(state(topo, "nginx.conf"), nginx_conf(topo, v6), Some("web")),
        f(state(topo, "server.ext"), server_ext(), None),
    ];
    for (path, bytes) in PAGES {
        v.push(WantedFile {
            path: state(topo, &format!("www/{path}")),
            contents: bytes.to_vec(),
            restarts: None,
        });
    }
    v.push(WantedFile {
        path: state(topo, "tls/index.html"),
        contents: TLS_PAGE.to_vec(),
        restarts: None,
    });
    for (letter, dir) in etc_netns_dirs(topo) {
        v.push(f(format!("{dir}/resolv.conf"), resolv_conf(letter), None));
    }
    if svc.nat {
        v.push(f(state(topo, "nat.nft"), nat_rules(), None));
    }
    v
}

/// The files `openssl` makes: the CA's certificate and key, the server's key and certificate
/// (any missing: all four are made again).
pub fn tls_files(topo: &Topology) -> [String; 4] {
    ["ca.pem", "ca.key", "server.key", "server.pem"].map(|f| state(topo, f))
}

/// Every path [`super::system::observe`] reads to see what exists of the services.
pub fn observed_paths(topo: &Topology) -> Vec<String> {
    let every = Services { nat: true };
    let routed = Routed {
        mtu: Routed::DEFAULT_MTU,
        wan: SwitchMode::Bridge,
    };
    let mut v: Vec<String> = wanted_files(topo, &routed, &every)
        .into_iter()
        .map(|f| f.path)
        .collect();
    v.extend(tls_files(topo));
    v.push(state(topo, "htpasswd"));
    v
}

/// D's namespace and cable to port `pD` of the 10.0.4 link's switch: no address, IPv6 off
/// (its captures hold only what its DHCP client sends and gets).
pub fn plan_client_host(topo: &Topology, obs: &Observed, steps: &mut Vec<Step>) {
    let ns = topo.dhcp_client_ns();
    let mut cs = Vec::new();
    if !obs.namespaces.contains_key(&ns) {
        cs.push(Step::Run(Cmd::new("ip", &["netns", "add", &ns])));
        cs.push(Step::Run(sysctl_no_ipv6(&ns)));
        cs.push(Step::Run(Cmd::ip_in(&ns, &["link", "set", "lo", "up"])));
    }
    plan_wire(
        &Wire {
            netns: &ns,
            dev: Topology::DEV,
            mac: CLIENT_MAC,
            ipv4: None,
            ipv6: None,
            switch_ns: &topo.wan_switch_ns(),
            port: CLIENT_PORT,
            mtu: None,
            gateways: Vec::new(),
        },
        obs,
        &mut cs,
    );
    if !cs.is_empty() {
        steps.push(Step::Note(format!(
            "host D (DHCP client): namespace {ns}, eth0 with no address, cabled to port \
             {CLIENT_PORT} of {} (run dhclient or udhcpc there: `wirelab lab exec D -- udhcpc -i eth0`)",
            topo.wan_switch_ns()
        )));
        steps.extend(cs);
    }
}

/// The steps that make the services run as wanted, given what `obs` says exists (after the
/// namespaces and cables are planned): S's second address, the files, the CA and keys, the
/// servers (restarted when their config changed), and R's NAT table (removed without `nat`).
pub fn plan_services(
    topo: &Topology,
    routed: &Routed,
    svc: &Services,
    obs: &Observed,
) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut restart: Vec<&'static str> = Vec::new();
    let sns = topo.server_ns();
    let rns = topo.router_ns();

    let second = format!("{SERVER2}/{}", Topology::PREFIX);
    let has_second = obs
        .link(&sns, Topology::DEV)
        .is_some_and(|l| l.ipv4.contains(&second));
    if !has_second {
        steps.push(Step::Note(format!(
            "server S: a second address, {second} (images.{ZONE}, the second web server)"
        )));
        steps.push(Step::Run(Cmd::ip_in(
            &sns,
            &["addr", "add", &second, "dev", Topology::DEV],
        )));
        restart.extend(["dns", "web"]);
    }

    let files = wanted_files(topo, routed, svc);
    let changed: Vec<&WantedFile> = files
        .iter()
        .filter(|f| obs.files.get(&f.path) != Some(&f.contents))
        .collect();
    if !changed.is_empty() {
        steps.push(Step::Note(format!(
            "the services' files: configs and pages in {}, resolv.conf of A, B, C and D in \
             /etc/netns (`ip netns exec` shows it as /etc/resolv.conf there)",
            topo.state_dir()
        )));
    }
    for f in changed {
        restart.extend(f.restarts);
        steps.push(Step::WriteFile {
            path: f.path.clone(),
            contents: f.contents.clone(),
        });
    }

    let htpasswd = state(topo, "htpasswd");
    if !obs.files.contains_key(&htpasswd) {
        steps.push(Step::Note(format!(
            "the password file of the protected page: user {AUTH_USER}, password \
             {AUTH_PASSWORD} (Basic authentication)"
        )));
        steps.push(Step::Run(Cmd::new(
            "sh",
            &[
                "-c",
                &format!(
                    "umask 022; printf '%s:%s\\n' {AUTH_USER} \"$(openssl passwd -apr1 {AUTH_PASSWORD})\" > {htpasswd}"
                ),
            ],
        )));
        restart.push("web");
    }

    let tls = tls_files(topo);
    if tls.iter().any(|p| !obs.files.contains_key(p)) {
        let [ca, ca_key, key, cert] = &tls;
        let csr = state(topo, "server.csr");
        let ext = state(topo, "server.ext");
        steps.push(Step::Note(format!(
            "the lab CA \"{CA_NAME}\" ({ca}: give it to a client, e.g. curl --cacert {ca}) and \
             {TLS_NAME}'s RSA 2048 certificate signed by it"
        )));
        steps.push(Step::Run(Cmd::new(
            "openssl",
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "365",
                "-subj",
                &format!("/O=wirelab/CN={CA_NAME}"),
                "-keyout",
                ca_key,
                "-out",
                ca,
            ],
        )));
        steps.push(Step::Run(Cmd::new(
            "openssl",
            &[
                "req",
                "-new",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                &format!("/O=wirelab/CN={TLS_NAME}"),
                "-keyout",
                key,
                "-out",
                &csr,
            ],
        )));
        steps.push(Step::Run(Cmd::new(
            "openssl",
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                ca,
                "-CAkey",
                ca_key,
                "-set_serial",
                "2",
                "-days",
                "365",
                "-extfile",
                &ext,
                "-out",
                cert,
            ],
        )));
        restart.push("web");
    }

    for s in servers(topo) {
        let running = s.running(obs);
        let again = restart.contains(&s.key);
        if !running.is_empty() && !again {
            continue;
        }
        steps.push(Step::Note(format!(
            "{} {}: {}",
            if running.is_empty() {
                "start on"
            } else {
                "restart on"
            },
            s.host,
            s.what
        )));
        for p in running
            .iter()
            .filter(|p| is_main_process(p) || s.key != "web")
        {
            steps.push(Step::Stop {
                pid: p.pid,
                what: p.command_line(),
            });
        }
        steps.push(Step::Daemon {
            netns: s.netns.clone(),
            argv: s.argv.clone(),
            log: s.log.clone(),
        });
    }

    let has_nat = obs
        .namespaces
        .get(&rns)
        .is_some_and(|n| n.nft_tables.iter().any(|t| t == &format!("ip {NAT_TABLE}")));
    if svc.nat && !has_nat {
        steps.push(Step::Note(format!(
            "NAT on R: nftables masquerade of 10.0.3.0/24 going out of eth1 (inside eth0, \
             outside eth1), table ip {NAT_TABLE}"
        )));
        steps.push(Step::Run(Cmd::new(
            "ip",
            &["netns", "exec", &rns, "nft", "-f", &state(topo, "nat.nft")],
        )));
    } else if !svc.nat && has_nat {
        steps.push(Step::Note("no NAT on R (no --nat)".into()));
        steps.push(Step::Run(Cmd::new(
            "ip",
            &[
                "netns", "exec", &rns, "nft", "delete", "table", "ip", NAT_TABLE,
            ],
        )));
    }
    steps
}

/// The services' state in words, one line each, for `lab status` (empty when none was
/// started): each server running with its pid, or not.
pub fn status_lines(topo: &Topology, obs: &Observed) -> Vec<String> {
    let any = obs.namespaces.contains_key(&topo.dhcp_client_ns())
        || !obs.etc_netns.is_empty()
        || servers(topo).iter().any(|s| !s.running(obs).is_empty());
    if !any {
        return Vec::new();
    }
    let mut v = Vec::new();
    for s in servers(topo) {
        let main = s
            .running(obs)
            .into_iter()
            .find(|p| is_main_process(p) || s.key != "web")
            .map(|p| p.pid);
        v.push(match main {
            Some(pid) => format!("{} {}: running, pid {pid}", s.host, s.what),
            None => format!("{} {}: NOT running", s.host, s.what),
        });
    }
    let nat = obs
        .namespaces
        .get(&topo.router_ns())
        .is_some_and(|n| n.nft_tables.iter().any(|t| t == &format!("ip {NAT_TABLE}")));
    v.push(format!(
        "R NAT (nftables masquerade of 10.0.3.0/24 out of eth1): {}",
        if nat { "on" } else { "off" }
    ));
    v.push(format!(
        "D DHCP client host: {}",
        if obs.namespaces.contains_key(&topo.dhcp_client_ns()) {
            format!("namespace {}", topo.dhcp_client_ns())
        } else {
            "missing".to_string()
        }
    ));
    v
}

#[cfg(test)]
mod tests;
