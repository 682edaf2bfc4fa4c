//! Rendering: packet list, layer detail, hex dump, ladder diagram, statistics.
