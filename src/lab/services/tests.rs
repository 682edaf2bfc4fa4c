use super::*;
use crate::lab::topology::plan_down;
use crate::lab::topology::tests::{apply, runs};

fn routed() -> Routed {
    Routed {
        mtu: Routed::DEFAULT_MTU,
        wan: SwitchMode::Bridge,
    }
}

/// What exists after the steps have run: the topology's model of `ip`, and the services'
/// files, servers and NAT table.
fn run_all(topo: &Topology, obs: &mut Observed, steps: &[Step]) {
    let mut next_pid = 9000;
    for s in steps {
        match s {
            Step::WriteFile { path, contents } => {
                obs.files.insert(path.clone(), contents.clone());
                if let Some((dir, _)) = path.rsplit_once("/resolv.conf")
                    && !obs.etc_netns.contains(&dir.to_string())
                {
                    obs.etc_netns.push(dir.to_string());
                }
            }
            Step::Daemon { netns, argv, .. } => {
                next_pid += 1;
                let ns = obs
                    .namespaces
                    .get_mut(netns)
                    .expect("daemon in a lab namespace");
                if argv[0] == "nginx" {
                    ns.procs.push(ProcState {
                        pid: next_pid,
                        argv: vec![format!("nginx: master process {}", argv.join(" "))],
                    });
                    next_pid += 1;
                    ns.procs.push(ProcState {
                        pid: next_pid,
                        argv: vec!["nginx: worker process".into()],
                    });
                } else {
                    ns.procs.push(ProcState {
                        pid: next_pid,
                        argv: argv.clone(),
                    });
                }
            }
            Step::Run(c) if c.program == "openssl" => {
                let out = c.args.iter().position(|a| a == "-out").unwrap();
                obs.files.insert(c.args[out + 1].clone(), b"PEM".to_vec());
                if let Some(k) = c.args.iter().position(|a| a == "-keyout") {
                    obs.files.insert(c.args[k + 1].clone(), b"KEY".to_vec());
                }
            }
            Step::Run(c) if c.program == "sh" => {
                let path = c.args[1].rsplit("> ").next().unwrap().to_string();
                obs.files
                    .insert(path, b"wireshark-students:$apr1$".to_vec());
            }
            Step::Run(c) if c.args.iter().any(|a| a == "nft") => {
                let ns = obs.namespaces.get_mut(&c.args[2]).unwrap();
                if c.args.contains(&"delete".to_string()) {
                    ns.nft_tables.clear();
                } else {
                    ns.nft_tables.push(format!("ip {NAT_TABLE}"));
                }
            }
            Step::Run(c) if c.program == "rm" => {
                obs.etc_netns.retain(|d| d != &c.args[1]);
            }
            other => {
                // The web server's workers go with their master.
                if let Step::Stop { pid, .. } = other {
                    for ns in obs.namespaces.values_mut() {
                        if ns.procs.iter().any(|p| p.pid == *pid && is_main_process(p)) {
                            ns.procs.retain(|p| !p.argv[0].starts_with("nginx: worker"));
                        }
                    }
                }
                apply(topo, obs, std::slice::from_ref(other));
            }
        }
    }
}

fn up(topo: &Topology, svc: &Services, obs: &Observed) -> Vec<Step> {
    plan_lab_with(topo, &SwitchMode::Bridge, Some(&routed()), Some(svc), obs)
}

fn fresh(topo: &Topology, svc: &Services) -> Observed {
    let mut obs = Observed::default();
    let steps = up(topo, svc, &obs);
    run_all(topo, &mut obs, &steps);
    obs
}

#[test]
fn a_fresh_lab_gets_every_service_inside_its_namespaces_and_state_dir() {
    let t = Topology::new("lab").unwrap();
    let steps = up(&t, &Services::default(), &Observed::default());
    let cmds = runs(&steps);
    for c in &cmds {
        let inside = c.starts_with("ip netns add wllab-")
            || c.starts_with("ip netns exec wllab-")
            || c.starts_with("ip -n wllab-")
            || c.starts_with("write /run/wirelab/lab-lab/")
            || c.starts_with("write /etc/netns/wllab-")
            || c.starts_with("daemon wllab-")
            || (c.starts_with("openssl ") && c.contains("/run/wirelab/lab-lab/"))
            || (c.starts_with("sh -c ") && c.ends_with("> /run/wirelab/lab-lab/htpasswd'"));
        assert!(inside, "outside the lab: {c}");
    }
    for want in [
        "ip netns add wllab-D",
        "ip -n wllab-sw4 link add pD type veth peer name eth0 netns wllab-D",
        "ip -n wllab-D link set eth0 address 02:00:00:00:04:0d",
        "ip -n wllab-sw4 link set pD master br0",
        "ip -n wllab-S addr add 10.0.4.2/24 dev eth0",
        "write /etc/netns/wllab-A/resolv.conf",
        "write /etc/netns/wllab-D/resolv.conf",
        "write /run/wirelab/lab-lab/www/wireshark-labs/HTTP-wireshark-file3.html",
        "write /run/wirelab/lab-lab/www/kurose_ross/header_graphic_book_8E_2.jpg",
        "daemon wllab-S dnsmasq --conf-file=/run/wirelab/lab-lab/dnsmasq-dns.conf",
        "daemon wllab-S nginx -c /run/wirelab/lab-lab/nginx.conf -e /run/wirelab/lab-lab/nginx-error.log",
        "daemon wllab-R unbound -c /run/wirelab/lab-lab/unbound.conf",
        "daemon wllab-R dnsmasq --conf-file=/run/wirelab/lab-lab/dnsmasq-dhcp.conf",
    ] {
        assert!(cmds.iter().any(|c| c == want), "{want} missing: {cmds:#?}");
    }
    // D has no address and no IPv6; no NAT without --nat.
    assert!(!cmds.iter().any(|c| c.starts_with("ip -n wllab-D addr")));
    assert!(cmds.contains(
        &"ip netns exec wllab-D sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1".to_string()
    ));
    assert!(!cmds.iter().any(|c| c.contains("nft")));
    // The web server starts after its key, certificate and password file exist, D's port is
    // on the switch, and the servers start after S's second address.
    let at = |p: &str| cmds.iter().position(|c| c.starts_with(p)).unwrap();
    assert!(at("openssl x509") < at("daemon wllab-S nginx"));
    assert!(at("sh -c") < at("daemon wllab-S nginx"));
    assert!(at("ip -n wllab-S addr add 10.0.4.2/24") < at("daemon wllab-S dnsmasq"));
    assert!(at("ip -n wllab-sw4 link add pD") < at("ip -n wllab-sw4 link set pD master br0"));
}

#[test]
fn a_second_up_does_nothing_and_a_crashed_or_reconfigured_server_alone_is_restarted() {
    let t = Topology::new("lab").unwrap();
    let svc = Services::default();
    let mut obs = fresh(&t, &svc);
    assert_eq!(up(&t, &svc, &obs), vec![]);

    // The resolver died: only it starts again.
    let r = obs.namespaces.get_mut(&t.router_ns()).unwrap();
    r.procs.retain(|p| p.argv[0] != "unbound");
    let steps = up(&t, &svc, &obs);
    assert_eq!(
        runs(&steps),
        ["daemon wllab-R unbound -c /run/wirelab/lab-lab/unbound.conf"]
    );
    run_all(&t, &mut obs, &steps);
    assert_eq!(up(&t, &svc, &obs), vec![]);

    // nginx's config was edited: it is written back and nginx (its master) restarted.
    let conf = "/run/wirelab/lab-lab/nginx.conf".to_string();
    obs.files.insert(conf.clone(), b"edited".to_vec());
    let master = obs
        .procs(&t.server_ns())
        .iter()
        .find(|p| is_main_process(p))
        .unwrap()
        .pid;
    let steps = up(&t, &svc, &obs);
    assert_eq!(
        runs(&steps),
        [
            format!("write {conf}"),
            format!("stop {master}"),
            "daemon wllab-S nginx -c /run/wirelab/lab-lab/nginx.conf -e /run/wirelab/lab-lab/nginx-error.log".to_string()
        ]
    );
    run_all(&t, &mut obs, &steps);
    assert_eq!(up(&t, &svc, &obs), vec![]);

    // The CA went missing: the chain is made again and the web server restarted.
    obs.files.remove("/run/wirelab/lab-lab/ca.pem");
    let cmds = runs(&up(&t, &svc, &obs));
    assert_eq!(cmds.iter().filter(|c| c.starts_with("openssl")).count(), 3);
    assert!(cmds.iter().any(|c| c.starts_with("daemon wllab-S nginx")));
    assert!(!cmds.iter().any(|c| c.contains("dnsmasq")));
}

#[test]
fn nat_is_added_and_removed_in_the_router_only() {
    let t = Topology::new("lab").unwrap();
    let mut obs = fresh(&t, &Services::default());
    let nat = Services { nat: true };
    let steps = up(&t, &nat, &obs);
    assert_eq!(
        runs(&steps),
        [
            "write /run/wirelab/lab-lab/nat.nft",
            "ip netns exec wllab-R nft -f /run/wirelab/lab-lab/nat.nft"
        ]
    );
    run_all(&t, &mut obs, &steps);
    assert_eq!(up(&t, &nat, &obs), vec![]);
    let off = runs(&up(&t, &Services::default(), &obs));
    assert_eq!(
        off,
        ["ip netns exec wllab-R nft delete table ip wirelab_nat"]
    );
    let rules = nat_rules();
    assert!(rules.contains("ip saddr 10.0.3.0/24 oifname \"eth1\" masquerade"));
    assert!(rules.contains("type nat hook postrouting"));
}

#[test]
fn without_services_a_routed_up_leaves_them_and_d_on_its_port() {
    let t = Topology::new("lab").unwrap();
    let obs = fresh(&t, &Services { nat: true });
    let r = routed();
    assert_eq!(
        plan_lab_with(&t, &SwitchMode::Bridge, Some(&r), None, &obs),
        vec![]
    );
    // The user-space switch of the 10.0.4 link keeps D's port.
    let imp = crate::lab::switch::Impairments::default();
    let user = Routed {
        mtu: 1500,
        wan: SwitchMode::UserSpace(imp),
    };
    let steps = plan_lab_with(&t, &SwitchMode::Bridge, Some(&user), None, &obs);
    let start = runs(&steps)
        .into_iter()
        .find(|c| c.starts_with("start ") && c.contains("wan-switch"))
        .unwrap();
    assert!(start.contains("--port pD"), "{start}");
}

#[test]
fn down_stops_the_servers_nginx_master_first_and_removes_etc_netns() {
    let t = Topology::new("lab").unwrap();
    let mut obs = fresh(&t, &Services { nat: true });
    assert_eq!(obs.etc_netns.len(), 4);
    let steps = plan_down(&t, &obs);
    let cmds = runs(&steps);
    let s_procs = obs.procs(&t.server_ns()).to_vec();
    let master = s_procs.iter().find(|p| is_main_process(p)).unwrap().pid;
    let worker = s_procs
        .iter()
        .find(|p| p.argv[0].starts_with("nginx: worker"))
        .unwrap()
        .pid;
    let at = |c: &str| cmds.iter().position(|x| x == c).unwrap();
    assert!(at(&format!("stop {master}")) < at(&format!("stop {worker}")));
    assert!(at("ip netns del wllab-D") < at("ip netns del wllab-R"));
    for l in "ABCD".chars() {
        assert!(cmds.contains(&format!("rm -r /etc/netns/wllab-{l}")));
    }
    run_all(&t, &mut obs, &steps);
    assert!(obs.is_empty());
    assert!(obs.etc_netns.is_empty());
}

#[test]
fn the_zone_resolver_dhcp_and_web_configs_say_what_the_contract_says() {
    let t = Topology::new("walk").unwrap();
    let dns = dns_conf(&t, true);
    for want in [
        "no-resolv",
        "auth-server=ns1.wirelab.test,eth0",
        "auth-sec-servers=ns2.wirelab.test",
        "auth-zone=wirelab.test,10.0.4.0/24,fd00:4::/64",
        "listen-address=10.0.4.1,10.0.4.2,fd00:4::1",
        "host-record=www.wirelab.test,10.0.4.1,fd00:4::1",
        "host-record=gaia.wirelab.test,10.0.4.1",
        "host-record=images.wirelab.test,10.0.4.2",
        "cname=web.wirelab.test,www.wirelab.test",
        "mx-host=wirelab.test,mail.wirelab.test,10",
        "ptr-record=1.4.0.10.in-addr.arpa,www.wirelab.test",
        "pid-file=/run/wirelab/lab-walk/dnsmasq-dns.pid",
    ] {
        assert!(dns.lines().any(|l| l == want), "{want} missing:\n{dns}");
    }
    assert!(dns_conf(&t, false).contains("listen-address=10.0.4.1,10.0.4.2\n"));
    let res = resolver_conf(&t);
    for want in [
        "interface: 10.0.3.254",
        "local-zone: \".\" refuse",
        "root-hints: \"\"",
        "name: \"wirelab.test\"",
        "name: \"4.0.10.in-addr.arpa\"",
        "stub-addr: 10.0.4.1",
    ] {
        assert!(res.lines().any(|l| l.trim() == want), "{want}:\n{res}");
    }
    assert!(!res.contains("forward-zone"));
    let dhcp = dhcp_conf(&t);
    for want in [
        "port=0",
        "interface=eth1",
        "dhcp-range=10.0.4.100,10.0.4.199,255.255.255.0,3600",
        "dhcp-option=option:router,10.0.4.254",
        "dhcp-option=option:dns-server,10.0.4.1",
        "dhcp-option=option:domain-name,wirelab.test",
        "dhcp-leasefile=/run/wirelab/lab-walk/dhcp.leases",
    ] {
        assert!(dhcp.lines().any(|l| l == want), "{want}:\n{dhcp}");
    }
    let web = nginx_conf(&t, true);
    for want in [
        "listen 10.0.4.1:80;",
        "listen 10.0.4.2:80;",
        "listen [fd00:4::1]:80;",
        "listen 10.0.4.1:443 ssl;",
        "ssl_protocols TLSv1.2;",
        "ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384;",
        "auth_basic_user_file /run/wirelab/lab-walk/htpasswd;",
        "location /wireshark-labs/protected_pages/ {",
    ] {
        assert!(web.lines().any(|l| l.trim() == want), "{want}:\n{web}");
    }
    assert!(!nginx_conf(&t, false).contains("fd00"));
    assert_eq!(
        resolv_conf('A'),
        "# wirelab lab: the resolver is R\nnameserver 10.0.3.254\nsearch wirelab.test\n"
    );
    assert!(resolv_conf('D').contains("nameserver 10.0.4.1\n"));
}

#[test]
fn the_pages_are_there_and_the_long_one_spans_several_segments() {
    let page = |p: &str| PAGES.iter().find(|(q, _)| *q == p).unwrap().1;
    assert!(page("wireshark-labs/HTTP-wireshark-file3.html").len() > 4500);
    let four = String::from_utf8_lossy(page("wireshark-labs/HTTP-wireshark-file4.html"));
    assert!(four.contains("http://gaia.wirelab.test/pearson.png"));
    assert!(four.contains("http://images.wirelab.test/8E_cover_small.jpg"));
    assert!(page("pearson.png").starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(page("8E_cover_small.jpg").starts_with(b"\xff\xd8\xff"));
    assert!(page("kurose_ross/header_graphic_book_8E_2.jpg").starts_with(b"\xff\xd8\xff"));
    let kr = String::from_utf8_lossy(page("kurose_ross/index.html"));
    assert!(kr.contains("/kurose_ross/header_graphic_book_8E_2.jpg"));
    assert!(String::from_utf8_lossy(TLS_PAGE).contains("<html>"));
}

#[test]
fn status_names_each_server_and_whether_it_runs() {
    let t = Topology::new("lab").unwrap();
    assert!(status_lines(&t, &Observed::default()).is_empty());
    let mut obs = fresh(&t, &Services::default());
    let lines = status_lines(&t, &obs);
    assert_eq!(lines.len(), 6, "{lines:#?}");
    assert!(
        lines
            .iter()
            .filter(|l| l.contains(": running, pid"))
            .count()
            == 4
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("NAT") && l.ends_with("off"))
    );
    obs.namespaces
        .get_mut(&t.server_ns())
        .unwrap()
        .procs
        .clear();
    let lines = status_lines(&t, &obs);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("S web server") && l.ends_with("NOT running"))
    );
}
