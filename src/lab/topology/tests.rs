use super::*;
use std::time::Duration;

pub(crate) fn runs(steps: &[Step]) -> Vec<String> {
    steps
        .iter()
        .filter_map(|s| match s {
            Step::Run(c) => Some(c.to_string()),
            Step::Stop { pid, .. } => Some(format!("stop {pid}")),
            Step::StartSwitch { args, .. } => Some(format!("start {}", args.join(" "))),
            Step::WriteFile { path, .. } => Some(format!("write {path}")),
            Step::Daemon { netns, argv, .. } => Some(format!("daemon {netns} {}", argv.join(" "))),
            Step::Note(_) => None,
        })
        .collect()
}

/// What exists after every step of a plan has run (a model of `ip`).
pub(crate) fn apply(topo: &Topology, obs: &mut Observed, steps: &[Step]) {
    for s in steps {
        match s {
            Step::Run(c) => {
                let a: Vec<&str> = c.args.iter().map(String::as_str).collect();
                match a.as_slice() {
                    ["netns", "add", ns] => {
                        obs.namespaces.insert(ns.to_string(), NsState::default());
                    }
                    ["netns", "del", ns] => {
                        obs.namespaces.remove(*ns);
                    }
                    ["netns", "exec", ns, "sysctl", "-q", "-w", settings @ ..] => {
                        let n = obs.namespaces.get_mut(*ns).unwrap();
                        for kv in settings {
                            let (k, v) = kv.split_once('=').unwrap();
                            n.sysctls.insert(k.to_string(), v.to_string());
                        }
                    }
                    [
                        "-n",
                        ns,
                        "link",
                        "add",
                        port,
                        "type",
                        "veth",
                        "peer",
                        "name",
                        dev,
                        "netns",
                        peer,
                    ] => {
                        let veth = LinkState {
                            kind: "veth".into(),
                            gso_max_segs: 65535,
                            mtu: 1500,
                            ..LinkState::default()
                        };
                        obs.namespaces
                            .get_mut(*ns)
                            .unwrap()
                            .links
                            .insert(port.to_string(), veth.clone());
                        obs.namespaces
                            .get_mut(*peer)
                            .unwrap()
                            .links
                            .insert(dev.to_string(), veth);
                    }
                    [
                        "-n",
                        ns,
                        "link",
                        "add",
                        br,
                        "type",
                        "bridge",
                        "mcast_snooping",
                        "0",
                    ] => {
                        let l = LinkState {
                            kind: "bridge".into(),
                            ..LinkState::default()
                        };
                        obs.namespaces
                            .get_mut(*ns)
                            .unwrap()
                            .links
                            .insert(br.to_string(), l);
                    }
                    ["-n", ns, "link", "del", dev] => {
                        let links = &mut obs.namespaces.get_mut(*ns).unwrap().links;
                        links.remove(*dev);
                        for l in links.values_mut() {
                            if l.master.as_deref() == Some(*dev) {
                                l.master = None;
                            }
                        }
                    }
                    ["-n", _, "link", "set", "lo", "up"] => {}
                    ["-n", ns, "link", "set", dev, what, rest @ ..] => {
                        let l = obs
                            .namespaces
                            .get_mut(*ns)
                            .unwrap()
                            .links
                            .get_mut(*dev)
                            .unwrap();
                        match (*what, rest) {
                            ("up", []) => l.up = true,
                            ("address", [m]) => l.mac = m.to_string(),
                            ("gso_max_segs", [n]) => l.gso_max_segs = n.parse().unwrap(),
                            ("mtu", [n]) => {
                                l.mtu = n.parse().unwrap();
                                // The kernel turns IPv6 off below 1280 bytes.
                                if l.mtu < 1280 {
                                    l.ipv6.clear();
                                }
                            }
                            ("master", [m]) => l.master = Some(m.to_string()),
                            other => panic!("unmodelled {other:?}"),
                        }
                    }
                    ["-n", ns, "addr", "add", cidr, "dev", dev] => {
                        let l = obs
                            .namespaces
                            .get_mut(*ns)
                            .unwrap()
                            .links
                            .get_mut(*dev)
                            .unwrap();
                        l.ipv4.push(cidr.to_string());
                    }
                    ["-n", ns, "addr", "add", cidr, "dev", dev, "nodad"] => {
                        let l = obs
                            .namespaces
                            .get_mut(*ns)
                            .unwrap()
                            .links
                            .get_mut(*dev)
                            .unwrap();
                        assert!(l.mtu >= 1280, "IPv6 on a link with MTU {}", l.mtu);
                        l.ipv6.push(cidr.to_string());
                    }
                    ["-n", ns, "route", "replace", "default", "via", gw]
                    | ["-n", ns, "-6", "route", "replace", "default", "via", gw] => {
                        let n = obs.namespaces.get_mut(*ns).unwrap();
                        if !n.gateways.iter().any(|g| g == gw) {
                            n.gateways.push(gw.to_string());
                        }
                    }
                    other => panic!("unmodelled command {other:?}"),
                }
            }
            Step::Stop { pid, .. } => {
                for ns in obs.namespaces.values_mut() {
                    ns.procs.retain(|p| p.pid != *pid);
                }
            }
            Step::StartSwitch { netns, args, .. } => {
                assert!(netns.starts_with(&topo.prefix()), "{netns}");
                let mut argv = vec!["wirelab".to_string()];
                argv.extend(args.iter().cloned());
                let pid = 4242
                    + obs
                        .namespaces
                        .values()
                        .map(|n| n.procs.len())
                        .sum::<usize>();
                obs.namespaces
                    .get_mut(netns)
                    .unwrap()
                    .procs
                    .push(ProcState {
                        pid: pid as u32,
                        argv,
                    });
            }
            Step::Note(_) | Step::WriteFile { .. } | Step::Daemon { .. } => {}
        }
    }
}

#[test]
fn names_addresses_and_validation() {
    let t = Topology::new("lab").unwrap();
    assert_eq!(t.switch_ns(), "wllab-sw");
    let c = t.computers();
    assert_eq!(c[0].netns, "wllab-A");
    assert_eq!(c[2].cidr(), "10.0.3.3/24");
    assert_eq!(crate::analyse::mac(&c[1].mac), "02:00:00:00:03:02");
    assert_eq!(t.computer('b').unwrap().port, "pB");
    assert!(t.namespaces().iter().all(|n| n.starts_with("wl")));
    for bad in [
        "",
        "Lab",
        "1lab",
        "a b",
        "lab;rm",
        "../x",
        "abcdefghijklmnopqrstu",
    ] {
        assert!(Topology::new(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn a_fresh_lab_gets_every_command_and_nothing_in_the_root_namespace() {
    let t = Topology::new("lab").unwrap();
    let steps = plan_up(&t, &SwitchMode::Bridge, &Observed::default());
    let cmds = runs(&steps);
    assert_eq!(cmds[0], "ip netns add wllab-sw");
    assert!(cmds.contains(
        &"ip -n wllab-sw link add pA type veth peer name eth0 netns wllab-A".to_string()
    ));
    assert!(cmds.contains(&"ip -n wllab-A addr add 10.0.3.1/24 dev eth0".to_string()));
    assert!(cmds.contains(&"ip -n wllab-sw link set pC master br0".to_string()));
    // Every ip command either manages namespaces or runs inside a lab namespace.
    for c in &cmds {
        assert!(
            c.starts_with("ip netns add wllab-")
                || c.starts_with("ip netns exec wllab-")
                || c.starts_with("ip -n wllab-"),
            "{c}"
        );
    }
}

#[test]
fn up_is_idempotent_and_repairs_a_half_built_lab() {
    let t = Topology::new("x1").unwrap();
    let mut obs = Observed::default();
    let first = plan_up(&t, &SwitchMode::Bridge, &obs);
    apply(&t, &mut obs, &first);
    assert_eq!(
        plan_up(&t, &SwitchMode::Bridge, &obs),
        vec![],
        "second up does nothing"
    );

    // A crash: B's namespace is gone (its cable with it), C lost its address.
    obs.namespaces.remove("wlx1-B");
    obs.namespaces
        .get_mut("wlx1-sw")
        .unwrap()
        .links
        .remove("pB");
    obs.namespaces
        .get_mut("wlx1-C")
        .unwrap()
        .links
        .get_mut("eth0")
        .unwrap()
        .ipv4
        .clear();
    let repair = plan_up(&t, &SwitchMode::Bridge, &obs);
    let cmds = runs(&repair);
    assert!(
        cmds.iter().all(|c| !c.contains("wlx1-A")),
        "A is left alone: {cmds:?}"
    );
    assert!(cmds.contains(&"ip netns add wlx1-B".to_string()));
    assert!(cmds.contains(&"ip -n wlx1-C addr add 10.0.3.3/24 dev eth0".to_string()));
    apply(&t, &mut obs, &repair);
    assert_eq!(plan_up(&t, &SwitchMode::Bridge, &obs), vec![]);

    // Half a cable: the switch end exists, the computer end does not.
    obs.namespaces
        .get_mut("wlx1-A")
        .unwrap()
        .links
        .remove("eth0");
    let cmds = runs(&plan_up(&t, &SwitchMode::Bridge, &obs));
    assert_eq!(cmds[0], "ip -n wlx1-sw link del pA");
}

#[test]
fn switching_modes_swaps_only_the_switch_and_keeps_a_running_switch_with_the_same_settings() {
    let t = Topology::new("lab").unwrap();
    let mut obs = Observed::default();
    let steps = plan_up(&t, &SwitchMode::Bridge, &obs);
    apply(&t, &mut obs, &steps);
    let imp = Impairments {
        delay: Duration::from_millis(20),
        loss: crate::lab::units::Percent(1.0),
        ..Impairments::default()
    };
    let user = SwitchMode::UserSpace(imp.clone());
    let steps = plan_up(&t, &user, &obs);
    let cmds = runs(&steps);
    assert_eq!(cmds[0], "ip -n wllab-sw link del br0");
    assert!(cmds[1].starts_with("start lab switch --port pA --port pB --port pC --delay 20ms"));
    assert!(cmds[1].contains("--loss 1%"), "{}", cmds[1]);
    assert_eq!(cmds.len(), 2, "the computers are not touched: {cmds:?}");
    apply(&t, &mut obs, &steps);
    assert_eq!(plan_up(&t, &user, &obs), vec![]);
    // Other settings: the old switch is stopped, a new one started.
    let other = SwitchMode::UserSpace(Impairments { seed: 9, ..imp });
    assert_eq!(runs(&plan_up(&t, &other, &obs))[0], "stop 4242");
    // Back to the bridge.
    let back = runs(&plan_up(&t, &SwitchMode::Bridge, &obs));
    assert_eq!(back[0], "stop 4242");
    assert!(back.contains(&"ip -n wllab-sw link set pA master br0".to_string()));
}

#[test]
fn down_stops_processes_then_removes_each_namespace_and_nothing_when_nothing_exists() {
    let t = Topology::new("lab").unwrap();
    assert_eq!(plan_down(&t, &Observed::default()), vec![]);
    let mut obs = Observed::default();
    let steps = plan_up(&t, &SwitchMode::Bridge, &obs);
    apply(&t, &mut obs, &steps);
    obs.namespaces
        .get_mut("wllab-A")
        .unwrap()
        .procs
        .push(ProcState {
            pid: 77,
            argv: vec!["wirelab".into(), "tcp-server".into()],
        });
    let steps = plan_down(&t, &obs);
    let cmds = runs(&steps);
    assert_eq!(cmds[0], "stop 77");
    assert_eq!(cmds[1], "ip netns del wllab-A");
    assert_eq!(cmds.last().unwrap(), "ip netns del wllab-sw");
    apply(&t, &mut obs, &steps);
    assert!(obs.is_empty());
}

#[test]
fn commands_print_as_a_shell_would_read_them() {
    let c = Cmd::new(
        "wirelab",
        &["tcp-client", "10.0.3.1", "--message", "it's me"],
    );
    assert_eq!(
        c.to_string(),
        r"wirelab tcp-client 10.0.3.1 --message 'it'\''s me'"
    );
    assert_eq!(shell_quote(""), "''");
}

fn routed(mtu: u32, wan: SwitchMode) -> Routed {
    Routed { mtu, wan }
}

fn up_routed(t: &Topology, r: &Routed) -> Observed {
    let mut obs = Observed::default();
    let steps = plan_lab(t, &SwitchMode::Bridge, Some(r), &obs);
    apply(t, &mut obs, &steps);
    obs
}

#[test]
fn routed_names_and_addresses() {
    let t = Topology::new("lab").unwrap();
    assert_eq!(t.router_ns(), "wllab-R");
    assert_eq!(t.server_ns(), "wllab-S");
    assert_eq!(t.wan_switch_ns(), "wllab-sw4");
    assert_eq!(t.computers()[1].ipv6().to_string(), "fd00:3::2");
    assert_eq!(t.node_ns('r').as_deref(), Some("wllab-R"));
    assert_eq!(t.node_ns('S').as_deref(), Some("wllab-S"));
    assert_eq!(t.node_ns('c').as_deref(), Some("wllab-C"));
    assert_eq!(t.node_ns('x'), None);
    let nics = t.routed_nics();
    assert_eq!(
        nics.iter()
            .map(|n| format!("{} {} {} {} {}", n.letter, n.dev, n.ip, n.ipv6, n.port))
            .collect::<Vec<_>>(),
        [
            "R eth0 10.0.3.254 fd00:3::fe pR",
            "R eth1 10.0.4.254 fd00:4::fe pR",
            "S eth0 10.0.4.1 fd00:4::1 pS"
        ]
    );
    assert!(t.all_namespaces().iter().all(|n| n.starts_with("wllab-")));
    assert!(!routed(1000, SwitchMode::Bridge).wan_ipv6());
    assert!(routed(1280, SwitchMode::Bridge).wan_ipv6());
}

#[test]
fn a_fresh_routed_lab_is_built_inside_its_namespaces_and_a_second_up_does_nothing() {
    let t = Topology::new("lab").unwrap();
    let r = routed(1500, SwitchMode::Bridge);
    let steps = plan_lab(&t, &SwitchMode::Bridge, Some(&r), &Observed::default());
    let cmds = runs(&steps);
    for c in &cmds {
        assert!(
            c.starts_with("ip netns add wllab-")
                || c.starts_with("ip netns exec wllab-")
                || c.starts_with("ip -n wllab-"),
            "{c}"
        );
    }
    for want in [
        "ip netns exec wllab-R sysctl -q -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
         net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0",
        "ip -n wllab-sw link add pR type veth peer name eth0 netns wllab-R",
        "ip -n wllab-sw4 link add pR type veth peer name eth1 netns wllab-R",
        "ip -n wllab-sw4 link add pS type veth peer name eth0 netns wllab-S",
        "ip -n wllab-A addr add fd00:3::1/64 dev eth0 nodad",
        "ip -n wllab-A route replace default via 10.0.3.254",
        "ip -n wllab-A -6 route replace default via fd00:3::fe",
        "ip -n wllab-S -6 route replace default via fd00:4::fe",
        "ip -n wllab-R addr add 10.0.4.254/24 dev eth1",
        "ip -n wllab-sw link set pR master br0",
        "ip -n wllab-sw4 link set pS master br0",
    ] {
        assert!(
            cmds.contains(&want.to_string()),
            "{want} missing: {cmds:#?}"
        );
    }
    // IPv6 stays on in the computers (never switched off), off in both switches.
    assert!(!cmds.contains(&"ip netns exec wllab-A sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1".to_string()));
    assert!(cmds.contains(&"ip netns exec wllab-sw4 sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1".to_string()));
    // The IPv6 address comes after IPv6 is on and before the link is up (no DAD of its own).
    let at = |c: &str| cmds.iter().position(|x| x == c).unwrap();
    assert!(
        at("ip -n wllab-S addr add fd00:4::1/64 dev eth0 nodad")
            < at("ip -n wllab-S link set eth0 up")
    );
    // No MTU command at the Ethernet MTU.
    assert!(cmds.iter().all(|c| !c.contains(" mtu ")), "{cmds:?}");
    let mut obs = Observed::default();
    apply(&t, &mut obs, &steps);
    assert_eq!(plan_lab(&t, &SwitchMode::Bridge, Some(&r), &obs), vec![]);
    assert!(is_routed(&t, &obs));
}

#[test]
fn a_plain_lab_becomes_routed_by_adding_only_what_is_missing() {
    let t = Topology::new("lab").unwrap();
    let mut obs = Observed::default();
    let steps = plan_up(&t, &SwitchMode::Bridge, &obs);
    apply(&t, &mut obs, &steps);
    assert!(!is_routed(&t, &obs));
    let r = routed(1500, SwitchMode::Bridge);
    let steps = plan_lab(&t, &SwitchMode::Bridge, Some(&r), &obs);
    let cmds = runs(&steps);
    assert!(
        cmds.iter().all(|c| !c.contains(" del ")
            && !c.starts_with("ip netns add wllab-A")
            && !c.contains("wllab-A addr add 10.0.3.1/24")),
        "{cmds:?}"
    );
    assert!(cmds.contains(&"ip -n wllab-B addr add fd00:3::2/64 dev eth0 nodad".to_string()));
    assert!(cmds.contains(&"ip netns add wllab-R".to_string()));
    apply(&t, &mut obs, &steps);
    assert_eq!(plan_lab(&t, &SwitchMode::Bridge, Some(&r), &obs), vec![]);
    // The plain plan does not look at the routed part (the app says it leaves it).
    assert_eq!(plan_up(&t, &SwitchMode::Bridge, &obs), vec![]);
}

#[test]
fn the_mtu_changes_only_the_10_0_4_link_and_below_1280_that_link_is_ipv4_only() {
    let t = Topology::new("lab").unwrap();
    let mut obs = up_routed(&t, &routed(1500, SwitchMode::Bridge));
    let small = routed(1000, SwitchMode::Bridge);
    let steps = plan_lab(&t, &SwitchMode::Bridge, Some(&small), &obs);
    assert_eq!(
        runs(&steps),
        [
            "ip -n wllab-R link set eth1 mtu 1000",
            "ip -n wllab-sw4 link set pR mtu 1000",
            "ip -n wllab-S link set eth0 mtu 1000",
            "ip -n wllab-sw4 link set pS mtu 1000",
        ]
    );
    apply(&t, &mut obs, &steps);
    assert_eq!(
        plan_lab(&t, &SwitchMode::Bridge, Some(&small), &obs),
        vec![]
    );
    // A fresh lab with a small MTU: no IPv6 and no IPv6 gateway on the 10.0.4 link.
    let fresh = runs(&plan_lab(
        &t,
        &SwitchMode::Bridge,
        Some(&small),
        &Observed::default(),
    ));
    assert!(fresh.iter().all(|c| !c.contains("fd00:4::")), "{fresh:?}");
    assert!(fresh.contains(&"ip -n wllab-R addr add fd00:3::fe/64 dev eth0 nodad".to_string()));
    // Back to 1500: IPv6 comes back on that link, with S's IPv6 gateway.
    let big = routed(1500, SwitchMode::Bridge);
    let back = runs(&plan_lab(&t, &SwitchMode::Bridge, Some(&big), &obs));
    assert!(back.contains(&"ip -n wllab-S addr add fd00:4::1/64 dev eth0 nodad".to_string()));
    assert!(back.contains(&"ip -n wllab-S -6 route replace default via fd00:4::fe".to_string()));
}

#[test]
fn impairments_go_to_the_link_asked_for_and_the_other_switch_is_left_alone() {
    let t = Topology::new("lab").unwrap();
    let mut obs = up_routed(&t, &routed(1500, SwitchMode::Bridge));
    let imp = Impairments {
        delay: Duration::from_millis(50),
        ..Impairments::default()
    };
    let wan = routed(1500, SwitchMode::UserSpace(imp.clone()));
    let steps = plan_lab(&t, &SwitchMode::Bridge, Some(&wan), &obs);
    let cmds = runs(&steps);
    assert_eq!(cmds[0], "ip -n wllab-sw4 link del br0", "{cmds:?}");
    assert!(
        cmds[1].starts_with("start lab switch --port pR --port pS --delay 50ms"),
        "{cmds:?}"
    );
    assert!(
        cmds[1].ends_with("/run/wirelab/lab-lab/wan-switch.json"),
        "{cmds:?}"
    );
    assert_eq!(cmds.len(), 2);
    assert!(
        steps
            .iter()
            .any(|s| matches!(s, Step::StartSwitch { netns, log, .. }
        if netns == "wllab-sw4" && log == "wan-switch.log"))
    );
    apply(&t, &mut obs, &steps);
    assert_eq!(plan_lab(&t, &SwitchMode::Bridge, Some(&wan), &obs), vec![]);
    // The lab network's switch in user space joins R's port too.
    let lan = SwitchMode::UserSpace(imp);
    let cmds = runs(&plan_lab(&t, &lan, Some(&wan), &obs));
    assert_eq!(cmds[0], "ip -n wllab-sw link del br0");
    assert!(
        cmds[1].starts_with("start lab switch --port pA --port pB --port pC --port pR "),
        "{cmds:?}"
    );
    assert_eq!(cmds.len(), 2, "{cmds:?}");
}

#[test]
fn a_crashed_router_gets_back_only_what_it_lost() {
    let t = Topology::new("lab").unwrap();
    let r = routed(1500, SwitchMode::Bridge);
    let mut obs = up_routed(&t, &r);
    // Forwarding off, S's namespace gone (its cable with it), A's IPv6 route gone.
    let rs = obs.namespaces.get_mut("wllab-R").unwrap();
    rs.sysctls.insert("net.ipv4.ip_forward".into(), "0".into());
    obs.namespaces.remove("wllab-S");
    obs.namespaces
        .get_mut("wllab-sw4")
        .unwrap()
        .links
        .remove("pS");
    obs.namespaces
        .get_mut("wllab-A")
        .unwrap()
        .gateways
        .retain(|g| !g.contains(':'));
    let steps = plan_lab(&t, &SwitchMode::Bridge, Some(&r), &obs);
    let cmds = runs(&steps);
    assert!(
        cmds.iter()
            .any(|c| c.starts_with("ip netns exec wllab-R sysctl -q -w net.ipv4.ip_forward=1")),
        "{cmds:?}"
    );
    assert!(cmds.contains(&"ip netns add wllab-S".to_string()));
    assert!(cmds.contains(&"ip -n wllab-A -6 route replace default via fd00:3::fe".to_string()));
    assert!(cmds.contains(&"ip -n wllab-sw4 link set pS master br0".to_string()));
    assert!(
        cmds.iter()
            .all(|c| !c.contains("wllab-B") && !c.contains("wllab-C")),
        "{cmds:?}"
    );
    apply(&t, &mut obs, &steps);
    assert_eq!(plan_lab(&t, &SwitchMode::Bridge, Some(&r), &obs), vec![]);
}

#[test]
fn down_removes_the_routed_lab_too_with_the_switches_last() {
    let t = Topology::new("lab").unwrap();
    let mut obs = up_routed(&t, &routed(1000, SwitchMode::Bridge));
    let steps = plan_down(&t, &obs);
    let cmds = runs(&steps);
    assert_eq!(
        cmds,
        ["A", "B", "C", "R", "S", "sw4", "sw"].map(|n| format!("ip netns del wllab-{n}"))
    );
    apply(&t, &mut obs, &steps);
    assert!(obs.is_empty());
}
