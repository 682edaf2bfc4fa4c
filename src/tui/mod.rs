//! `wirelab view`: Wireshark's three panes in the terminal — packet list, details tree,
//! bytes — with a filter bar, views on the selected stream, keys and mouse.
//!
//! [`state`] is the plain state and its key handling, [`index`] the background reader and
//! its checkpoints, [`scan`] the background passes (filter, views), [`tree`] the details,
//! [`views`] the stream views, [`app`] the model that ties them together and [`ui`] the
//! drawing. This file sets the terminal up (raw mode, alternate screen, mouse), restores it
//! on every way out (return, error, panic), and runs the event loop.
//!
//! Live mode (`view -i IFACE`, set up in `app::view`) is a file too: the live capture
//! ([`crate::capture`]) writes pcapng on its own thread (to `-w FILE`, or a temporary file),
//! the view follows that file as it grows (the index and scans do, for any capture still
//! being written), and [`index::SourceSpec::live`] carries the kernel's drop counter for the
//! status line. The capture never waits on the view: they share nothing but the file.

#![forbid(unsafe_code)]

pub mod app;
pub mod index;
pub mod layout;
pub mod scan;
pub mod state;
pub mod tree;
pub mod ui;
pub mod views;

use std::io::{self, IsTerminal as _, Write as _};
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event, KeyCode, KeyEvent, KeyEventKind,
    KeyModifiers, MouseButton, MouseEventKind,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};

use app::{App, Colors, Mouse};
use index::SourceSpec;
use state::Key;

/// Why the view cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// Standard input or output is not a terminal.
    #[error(
        "wirelab view draws a full-screen view and needs a terminal, but its {0} is not one \
         (a pipe, a file or CI); use `wirelab read FILE` there instead (with --detail, --hex, \
         --filter, --handshakes or --stats for the same information as text)"
    )]
    NoTerminal(&'static str),
    /// The capture cannot be opened.
    #[error(transparent)]
    Source(#[from] crate::source::SourceError),
    /// The terminal failed.
    #[error("terminal error: {0}")]
    Terminal(#[from] io::Error),
}

/// Converts a crossterm key event into the keys it stands for. Esc followed quickly by a
/// key (a fast typist, or both arriving in one packet over SSH) reaches us as Alt and that
/// key: it is taken as the two keys.
pub fn keys_of(e: &KeyEvent) -> Vec<Key> {
    if e.kind == KeyEventKind::Release {
        return Vec::new();
    }
    let alt = e.modifiers.contains(KeyModifiers::ALT);
    let Some(key) = key_of(e) else {
        return Vec::new();
    };
    if alt { vec![Key::Esc, key] } else { vec![key] }
}

/// Converts a crossterm key event (without its Alt).
pub fn key_of(e: &KeyEvent) -> Option<Key> {
    if e.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = e.modifiers.contains(KeyModifiers::CONTROL);
    Some(match e.code {
        KeyCode::Char(c) if ctrl => Key::Ctrl(c.to_ascii_lowercase()),
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        KeyCode::Enter => Key::Enter,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Esc => Key::Esc,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Delete => Key::Delete,
        _ => return None,
    })
}

/// Puts the terminal back as it was; runs on drop, so also on errors and early returns.
struct TerminalGuard;

impl TerminalGuard {
    fn enter() -> io::Result<TerminalGuard> {
        enable_raw_mode()?;
        let guard = TerminalGuard;
        execute!(io::stdout(), EnterAlternateScreen, EnableMouseCapture)?;
        Ok(guard)
    }
}

fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
    let _ = io::stdout().flush();
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Timings for the benchmark (`WIRELAB_VIEW_TRACE=FILE`): milliseconds since the view
/// started to the first screen with rows, and from each filter's Enter to its end.
struct Trace {
    out: Option<std::fs::File>,
    start: Instant,
    first_screen: bool,
    filter_started: Option<Instant>,
}

impl Trace {
    fn new(start: Instant) -> Trace {
        let out = std::env::var_os("WIRELAB_VIEW_TRACE").and_then(|p| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .ok()
        });
        Trace {
            out,
            start,
            first_screen: false,
            filter_started: None,
        }
    }

    fn line(&mut self, what: &str, ms: f64) {
        if let Some(f) = &mut self.out {
            let _ = writeln!(f, "{what} {ms:.1}");
        }
    }
}

/// Runs the view on a capture file until the user quits.
pub fn run(spec: SourceSpec, follow: bool) -> Result<(), ViewError> {
    run_with_filter(spec, follow, None)
}

/// The same, with a display filter applied from the start (text as typed, and parsed).
pub fn run_with_filter(
    spec: SourceSpec,
    follow: bool,
    filter: Option<(String, crate::filter::Filter)>,
) -> Result<(), ViewError> {
    let start = Instant::now();
    // The file first: a file that is not a capture says so, terminal or not.
    let mut app = App::open(spec, follow)?;
    if !io::stdout().is_terminal() {
        return Err(ViewError::NoTerminal("output"));
    }
    // Keys come from standard input, or from the terminal itself when standard input brings
    // the capture (`view -`), as crossterm reads them.
    if !io::stdin().is_terminal() && !controlling_terminal() {
        return Err(ViewError::NoTerminal("input"));
    }
    app.colors = Colors::detect();
    if let Some((text, filter)) = filter {
        app.set_filter(text, filter);
    }
    let mut trace = Trace::new(start);

    // Restore the terminal before a panic message is printed, then panic as usual.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        hook(info);
    }));
    let guard = TerminalGuard::enter()?;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    terminal.clear()?;
    let result = event_loop(&mut terminal, &mut app, &mut trace);
    drop(terminal);
    drop(guard);
    let _ = std::panic::take_hook();
    result
}

/// True when the process has a terminal to read keys from (`/dev/tty` opens).
fn controlling_terminal() -> bool {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .is_ok()
}

fn event_loop(
    terminal: &mut Terminal<CrosstermBackend<io::Stdout>>,
    app: &mut App,
    trace: &mut Trace,
) -> Result<(), ViewError> {
    // Input redraws at once; what the background readers find is drawn at most every
    // REDRAW, so that drawing never competes with a filter for the CPU.
    const REDRAW: Duration = Duration::from_millis(50);
    let mut input = true;
    let mut pending = false;
    let mut last_draw: Option<Instant> = None;
    loop {
        if app.tick() {
            pending = true;
        }
        // Live: the drop counter changes without new frames; a signal ends the view.
        if let Some(live) = &app.index.spec().live {
            if live.quit.load(std::sync::atomic::Ordering::Relaxed) {
                return Ok(());
            }
            if last_draw.is_some_and(|t| t.elapsed() >= Duration::from_secs(1)) {
                pending = true;
            }
        }
        let due = last_draw.is_none_or(|t| t.elapsed() >= REDRAW);
        if input || (pending && due) {
            let size = terminal.size()?;
            app.prepare(ratatui::layout::Rect::new(0, 0, size.width, size.height));
            terminal.draw(|f| ui::draw(f, app))?;
            input = false;
            pending = false;
            last_draw = Some(Instant::now());
            if !trace.first_screen && !app.visible.is_empty() {
                trace.first_screen = true;
                let ms = trace.start.elapsed().as_secs_f64() * 1e3;
                trace.line("first_screen_ms", ms);
            }
        }
        if let Some(t) = trace.filter_started
            && app.filtering.as_ref().is_some_and(|f| f.scan.data().at_end)
        {
            trace.filter_started = None;
            let ms = t.elapsed().as_secs_f64() * 1e3;
            trace.line("filter_ms", ms);
            pending = true;
        }
        // While a filter runs, wake often enough to time its end precisely.
        let wait = if trace.filter_started.is_some() {
            Duration::from_millis(5)
        } else {
            Duration::from_millis(100)
        };
        if !event::poll(wait)? {
            continue;
        }
        match event::read()? {
            Event::Key(k) => {
                for key in keys_of(&k) {
                    let filtering_before = app.filtering.as_ref().map(|f| f.text.clone());
                    app.on_key(key);
                    let now = app.filtering.as_ref().map(|f| f.text.clone());
                    if now.is_some() && (now != filtering_before || key == Key::Enter) {
                        trace.filter_started = Some(Instant::now());
                    }
                    input = true;
                }
            }
            Event::Mouse(m) => {
                let (x, y) = (m.column, m.row);
                let action = match m.kind {
                    MouseEventKind::Down(MouseButton::Left) => Some(Mouse::Click(x, y)),
                    MouseEventKind::ScrollUp => Some(Mouse::ScrollUp(x, y)),
                    MouseEventKind::ScrollDown => Some(Mouse::ScrollDown(x, y)),
                    _ => None,
                };
                if let Some(a) = action {
                    app.on_mouse(a);
                    input = true;
                }
            }
            Event::Resize(..) => input = true,
            _ => {}
        }
        if app.state.quit {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esc_and_a_key_together_are_two_keys() {
        let alt_j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::ALT);
        assert_eq!(keys_of(&alt_j), [Key::Esc, Key::Char('j')]);
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(keys_of(&ctrl_c), [Key::Ctrl('c')]);
        assert_eq!(keys_of(&KeyEvent::from(KeyCode::PageDown)), [Key::PageDown]);
        let mut release = KeyEvent::from(KeyCode::Char('q'));
        release.kind = KeyEventKind::Release;
        assert!(keys_of(&release).is_empty());
        assert!(keys_of(&KeyEvent::from(KeyCode::F(5))).is_empty());
    }
}
