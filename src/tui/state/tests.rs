use super::*;
use crate::analyse::analyse_all;
use crate::source::{CaptureReader, SourceEvent};

/// The tree of frame `n` of a bundled capture.
fn tree_of(file: &str, n: usize) -> DetailTree {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("captures")
        .join(file);
    let frames: Vec<_> = CaptureReader::open(&path)
        .unwrap()
        .filter_map(|e| match e {
            SourceEvent::Frame(f) => Some(f),
            SourceEvent::Warning(_) => None,
        })
        .collect();
    let packets = analyse_all(frames.clone());
    DetailTree::build(&packets[n - 1], &frames[n - 1].data, None)
}

fn facts(rows: usize, tree: Option<&DetailTree>) -> Facts<'_> {
    Facts {
        rows,
        list_height: 10,
        tree,
        tree_height: 8,
        bytes_len: 74,
        bytes_height: 4,
        view_lines: 40,
        view_height: 10,
    }
}

fn keys(s: &mut ViewState, f: &Facts, keys: &[Key]) -> Vec<Effect> {
    keys.iter().map(|k| s.on_key(*k, f)).collect()
}

#[test]
fn list_moves_pages_and_ends() {
    let mut s = ViewState::new(false);
    let f = facts(100, None);
    assert_eq!(s.on_key(Key::Down, &f), Effect::FrameChanged);
    assert_eq!(s.on_key(Key::Char('j'), &f), Effect::FrameChanged);
    assert_eq!(s.selected, 2);
    assert_eq!(s.on_key(Key::Char('k'), &f), Effect::FrameChanged);
    assert_eq!(s.selected, 1);
    s.on_key(Key::PageDown, &f);
    assert_eq!((s.selected, s.top), (11, 2));
    s.on_key(Key::Char('G'), &f);
    assert_eq!((s.selected, s.top), (99, 90));
    assert!(s.follow);
    s.on_key(Key::Char('g'), &f);
    assert_eq!((s.selected, s.top), (0, 0));
    assert!(!s.follow);
    // Up at the top does nothing.
    assert_eq!(s.on_key(Key::Up, &f), Effect::None);
}

#[test]
fn follow_mode_sticks_to_new_frames_until_the_user_scrolls_up() {
    let mut s = ViewState::new(false);
    s.on_key(Key::End, &facts(20, None));
    assert!(s.follow);
    // Frames arrive: the selection follows.
    assert_eq!(s.rows_changed(&facts(25, None)), Effect::FrameChanged);
    assert_eq!((s.selected, s.top), (24, 15));
    // The user moves up: follow stops, and new frames no longer move the list.
    s.on_key(Key::Up, &facts(25, None));
    assert!(!s.follow);
    assert_eq!(s.rows_changed(&facts(40, None)), Effect::None);
    assert_eq!((s.selected, s.top), (23, 15));
    // The mouse wheel up stops following too.
    s.on_key(Key::End, &facts(40, None));
    s.scroll_list(-3, &facts(40, None));
    assert!(!s.follow);
    // A view started in follow mode goes to the end at once.
    let mut live = ViewState::new(true);
    live.rows_changed(&facts(7, None));
    assert_eq!(live.selected, 6);
}

#[test]
fn tab_cycles_panes_and_q_quits() {
    let mut s = ViewState::new(false);
    let f = facts(5, None);
    s.on_key(Key::Tab, &f);
    assert_eq!(s.focus, Pane::Details);
    s.on_key(Key::Tab, &f);
    assert_eq!(s.focus, Pane::Bytes);
    s.on_key(Key::BackTab, &f);
    assert_eq!(s.focus, Pane::Details);
    assert_eq!(s.on_key(Key::Char('q'), &f), Effect::Quit);
    assert!(s.quit);
    let mut s = ViewState::new(false);
    assert_eq!(s.on_key(Key::Ctrl('c'), &f), Effect::Quit);
}

/// Expand TCP, select the Seq field: its bytes (38-41 of an Ethernet/IPv4 frame) are
/// highlighted; and selecting a byte selects its field.
#[test]
fn field_selects_bytes_and_byte_selects_field() {
    let tree = tree_of("tcp-handshake.pcapng", 3);
    let f = facts(16, Some(&tree));
    let mut s = ViewState::new(false);
    s.frame_changed(None, &tree, &f);
    s.on_key(Key::Tab, &f);
    let tcp = NodeKey::Layer(crate::decode::detail::LayerKind::Tcp, 0);
    // Walk down to the TCP node (collapsed layers: one row each).
    while tree.nodes[s.tree_sel.node].key != tcp {
        s.on_key(Key::Down, &f);
    }
    assert_eq!(s.highlight(&tree), Some((34..74, false)));
    assert!(!s.is_expanded(tcp));
    s.on_key(Key::Enter, &f);
    assert!(s.is_expanded(tcp));
    while !tree.text(s.tree_sel).starts_with("Sequence Number") {
        assert_ne!(s.on_key(Key::Down, &f), Effect::Quit);
    }
    assert_eq!(s.highlight(&tree), Some((38..42, false)));
    assert_eq!(s.byte, Some(38));
    // Close TCP from a field: the selection goes up to the layer.
    s.on_key(Key::Left, &f);
    assert_eq!(tree.text(s.tree_sel), tree.nodes[s.tree_sel.node].title);
    s.on_key(Key::Left, &f);
    assert!(!s.is_expanded(tcp));

    // In the bytes pane, byte 47 (the flags' second byte) selects Flags, opening TCP.
    s.on_key(Key::Tab, &f);
    assert_eq!(s.focus, Pane::Bytes);
    s.select_byte(47, &tree, &f);
    assert!(s.is_expanded(tcp));
    assert!(tree.text(s.tree_sel).starts_with("Flags: 0x002"));
    // Moving left to 46 selects the smaller field there: the header length.
    s.on_key(Key::Left, &f);
    assert_eq!(s.byte, Some(46));
    assert!(tree.text(s.tree_sel).starts_with("Header Length"));
    // Down 16 bytes, to 62: inside the timestamps option.
    s.on_key(Key::Down, &f);
    assert_eq!(s.byte, Some(62));
    assert!(tree.text(s.tree_sel).contains("Timestamps"));
    // Byte 0 belongs to the Ethernet destination.
    s.on_key(Key::Home, &f);
    assert!(tree.text(s.tree_sel).starts_with("Destination"));
    assert_eq!(
        tree.nodes[s.tree_sel.node].key,
        NodeKey::Layer(crate::decode::detail::LayerKind::Ethernet, 0)
    );
}

#[test]
fn selection_stays_on_the_same_field_in_the_next_frame() {
    let t3 = tree_of("tcp-handshake.pcapng", 3);
    let t4 = tree_of("tcp-handshake.pcapng", 4);
    let arp = tree_of("tcp-handshake.pcapng", 1);
    let f = facts(16, Some(&t3));
    let mut s = ViewState::new(false);
    s.frame_changed(None, &t3, &f);
    s.select_byte(39, &t3, &f);
    assert!(t3.text(s.tree_sel).starts_with("Sequence Number"));
    s.frame_changed(Some(&t3), &t4, &facts(16, Some(&t4)));
    assert!(t4.text(s.tree_sel).starts_with("Sequence Number"));
    assert_eq!(s.highlight(&t4), Some((38..42, false)));
    // An ARP frame has no TCP layer: back to the top.
    s.frame_changed(Some(&t4), &arp, &facts(16, Some(&arp)));
    assert_eq!(s.tree_sel, TOP);
}

#[test]
fn filter_bar_checks_as_typed_and_applies_on_enter() {
    let mut s = ViewState::new(false);
    let f = facts(16, None);
    s.on_key(Key::Char('/'), &f);
    assert!(s.filter.editing);
    for c in "ip.addr == 10.0.3".chars() {
        s.on_key(Key::Char(c), &f);
    }
    let e = s
        .filter
        .error
        .clone()
        .expect("an incomplete address is an error");
    assert_eq!(e.column, 12);
    assert!(e.message.contains("not an IPv4 address"), "{}", e.message);
    // Enter with an error keeps editing and applies nothing.
    assert_eq!(s.on_key(Key::Enter, &f), Effect::None);
    assert!(s.filter.editing);
    keys(&mut s, &f, &[Key::Char('.'), Key::Char('1')]);
    assert_eq!(s.filter.error, None);
    let e = s.on_key(Key::Enter, &f);
    assert!(matches!(e, Effect::Filter(Some(_))), "{e:?}");
    assert_eq!(s.filter.applied.as_deref(), Some("ip.addr == 10.0.3.1"));
    assert!(!s.filter.editing);
    // Editing starts from the filter in force; the cursor moves, Backspace deletes.
    s.on_key(Key::Char('f'), &f);
    assert_eq!(s.filter.text, "ip.addr == 10.0.3.1");
    keys(&mut s, &f, &[Key::Home, Key::Delete, Key::Char('I')]);
    assert_eq!(s.filter.text, "Ip.addr == 10.0.3.1");
    assert!(s.filter.error.is_some());
    keys(
        &mut s,
        &f,
        &[
            Key::Left,
            Key::Delete,
            Key::Char('i'),
            Key::End,
            Key::Backspace,
        ],
    );
    assert_eq!(s.filter.text, "ip.addr == 10.0.3.");
    // Esc leaves the filter in force as it was.
    s.on_key(Key::Esc, &f);
    assert_eq!(s.filter.applied.as_deref(), Some("ip.addr == 10.0.3.1"));
    // An empty filter shows every frame again.
    keys(&mut s, &f, &[Key::Char('/'), Key::Ctrl('u')]);
    assert_eq!(s.on_key(Key::Enter, &f), Effect::Filter(None));
    assert_eq!(s.filter.applied, None);
    // Keys typed in the bar are text, not commands.
    keys(&mut s, &f, &[Key::Char('/'), Key::Char('q')]);
    assert!(!s.quit);
    assert_eq!(s.filter.text, "q");
}

#[test]
fn help_opens_over_a_graph_and_returns_to_it() {
    let mut s = ViewState::new(false);
    let f = facts(16, None);
    let v = ViewKind::RoundTrip;
    assert_eq!(s.on_key(Key::Char(v.key()), &f), Effect::OpenView(v));
    s.on_key(Key::Char('?'), &f);
    assert_eq!(s.popup, Some(Popup::Help));
    s.on_key(Key::Esc, &f);
    assert_eq!(s.popup, Some(Popup::View(v)));
    s.on_key(Key::Char('?'), &f);
    s.on_key(Key::Char('?'), &f);
    assert_eq!(s.popup, Some(Popup::View(v)));
    s.on_key(Key::Esc, &f);
    assert_eq!(s.popup, None);
}

#[test]
fn help_and_views_open_and_close() {
    let mut s = ViewState::new(false);
    let f = facts(16, None);
    s.on_key(Key::Char('?'), &f);
    assert_eq!(s.popup, Some(Popup::Help));
    // q in a popup closes it rather than quitting.
    s.on_key(Key::Char('q'), &f);
    assert_eq!(s.popup, None);
    assert!(!s.quit);
    assert_eq!(
        s.on_key(Key::Char('h'), &f),
        Effect::OpenView(ViewKind::Handshakes)
    );
    s.on_key(Key::PageDown, &f);
    s.on_key(Key::Right, &f);
    assert_eq!(s.view_scroll, (10, 8));
    s.on_key(Key::Char('G'), &f);
    assert_eq!(s.view_scroll, (30, 8));
    // Another view's key switches views.
    assert_eq!(
        s.on_key(Key::Char('c'), &f),
        Effect::OpenView(ViewKind::Conversations)
    );
    assert_eq!(s.view_scroll, (0, 0));
    s.on_key(Key::Esc, &f);
    assert_eq!(s.popup, None);
    for v in ViewKind::ALL {
        assert_eq!(s.on_key(Key::Char(v.key()), &f), Effect::OpenView(v));
        s.on_key(Key::Esc, &f);
    }
}
