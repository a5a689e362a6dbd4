//! `khao serve`: build, serve on 127.0.0.1, watch and live-reload.
