//! Scenario variants without copies: `extends = "parent.toml"` names a
//! parent file, and the child states only what differs.
//!
//! The child's TOML is laid over the parent's, key by key:
//!
//! - tables (`[run]`, `[params]`, `[dyad.I.J]`, `[report]`) merge
//!   recursively, the child's values winning; an `[uncertainty]` entry of the
//!   child replaces the parent's entry for that path whole;
//! - `[[agents]]` merge by `id`: a child entry changes only the keys it gives,
//!   a new id is appended;
//! - `[[shocks]]` merge by `id`: a child entry replaces the parent's shock of
//!   that id whole (restate every field), a new id is appended, and
//!   `remove_shocks = ["id", ...]` removes inherited shocks;
//! - `[[outcomes]]`, when the child gives any, replace the parent's list;
//! - `[[evidence]]` entries of the child are added; the parent's entries for
//!   a path the child cites again, for a removed shock, or for a field or
//!   effect a restated shock no longer has, are dropped;
//! - an inherited `[uncertainty]` entry is dropped when the child writes a
//!   value at its path (or restates or removes its shock): the child's value
//!   is a new claim, and stays uncertain only if the child says so again;
//! - `name` is required in the child; `extends` and `remove_shocks` are not
//!   inherited.
//!
//! A parent may itself extend another file, up to [`MAX_DEPTH`] levels.

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use crate::error::InputError;

/// Most levels of `extends`.
pub const MAX_DEPTH: usize = 8;

/// One file of a chain of parents: its path and text, for error locations
/// and the scenario's hash.
#[derive(Debug, Clone)]
pub struct Layer {
    pub path: PathBuf,
    pub source: String,
}

/// The merged table of `path`'s text and every parent it extends, and the
/// layers it came from (the file itself first).
pub fn resolve(path: &Path, source: &str) -> Result<(Table, Vec<Layer>), InputError> {
    let mut layers = Vec::new();
    let table = resolve_layer(path, source, &mut layers)?;
    Ok((table, layers))
}

fn resolve_layer(path: &Path, source: &str, layers: &mut Vec<Layer>) -> Result<Table, InputError> {
    let mut table: Table =
        toml::from_str(source).map_err(|e| super::toml_error(path, source, &e))?;
    layers.push(Layer {
        path: path.to_path_buf(),
        source: source.to_string(),
    });
    let Some(parent) = table.remove("extends") else {
        if table.contains_key("remove_shocks") {
            return Err(InputError::new(
                "`remove_shocks` needs `extends`: there are no inherited shocks to remove",
            )
            .in_file(path)
            .key("remove_shocks"));
        }
        return Ok(table);
    };
    let Value::String(parent) = parent else {
        return Err(
            InputError::new("expected the parent scenario's file name as a string")
                .in_file(path)
                .key("extends"),
        );
    };
    if layers.len() > MAX_DEPTH {
        return Err(InputError::new(format!(
            "extends more than {MAX_DEPTH} levels of parents; expected a shorter chain"
        ))
        .in_file(path)
        .key("extends"));
    }
    let parent_path = path.parent().unwrap_or(Path::new("")).join(&parent);
    let canonical = parent_path.canonicalize().ok();
    if layers
        .iter()
        .any(|l| l.path.canonicalize().ok() == canonical && canonical.is_some())
    {
        return Err(InputError::new(format!(
            "`{parent}` extends this file again: a scenario cannot be its own ancestor"
        ))
        .in_file(path)
        .key("extends"));
    }
    let parent_source = super::read_source(&parent_path).map_err(|e| {
        e.hint(format!(
            "the parent is named by the key `extends` of {}, relative to that file",
            path.display()
        ))
    })?;
    let base = resolve_layer(&parent_path, &parent_source, layers)?;
    if !table.contains_key("name") {
        return Err(InputError::new(
            "missing key `name`: a scenario that extends another needs its own name",
        )
        .in_file(path)
        .key("name"));
    }
    merge(base, table).map_err(|(key, message)| InputError::new(message).in_file(path).key(key))
}

/// Lays `child` over `parent`; on error returns the key and what is wrong.
fn merge(mut parent: Table, mut child: Table) -> Result<Table, (String, String)> {
    let removed: Vec<String> = match child.remove("remove_shocks") {
        None => Vec::new(),
        Some(Value::Array(ids)) => ids
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                other => Err((
                    "remove_shocks".to_string(),
                    format!("found {other}, expected shock ids as strings"),
                )),
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err((
                "remove_shocks".into(),
                format!("found {other}, expected a list of shock ids"),
            ));
        }
    };
    drop_overridden_uncertainty(&mut parent, &child, &removed);
    let parent_shocks = array(&mut parent, "shocks");
    for id in &removed {
        if !parent_shocks.iter().any(|s| id_of(s) == Some(id.as_str())) {
            return Err((
                "remove_shocks".into(),
                format!(
                    "no inherited shock `{id}`; expected one of {}",
                    ids(&parent_shocks).join(", ")
                ),
            ));
        }
    }
    let child_shocks = array(&mut child, "shocks");
    // Whether a parent evidence path still names something: not a removed
    // shock, nor a field or effect a restated shock no longer has.
    let still_applies = |path: &str| -> bool {
        let parts: Vec<&str> = path.split('.').collect();
        let ["shock", id, field, rest @ ..] = parts.as_slice() else {
            return true;
        };
        if removed.iter().any(|r| r == id) {
            return false;
        }
        let Some(restated) = child_shocks.iter().find(|s| id_of(s) == Some(*id)) else {
            return true;
        };
        match (*field, rest) {
            ("effects", [k, ..]) => k.parse::<usize>().is_ok_and(|k| {
                restated
                    .get("effects")
                    .and_then(Value::as_array)
                    .is_some_and(|e| k < e.len())
            }),
            (field, _) => restated.get(field).is_some(),
        }
    };
    let child_evidence = array(&mut child, "evidence");
    let cited: Vec<&str> = child_evidence.iter().filter_map(|e| path_of(e)).collect();
    let mut evidence: Vec<Value> = array(&mut parent, "evidence")
        .into_iter()
        .filter(|e| {
            let path = path_of(e).unwrap_or("");
            !cited.contains(&path) && still_applies(path)
        })
        .collect();
    evidence.extend(child_evidence.iter().cloned());
    if !evidence.is_empty() {
        parent.insert("evidence".into(), Value::Array(evidence));
    }

    let mut shocks: Vec<Value> = parent_shocks
        .into_iter()
        .filter(|s| !removed.iter().any(|r| Some(r.as_str()) == id_of(s)))
        .collect();
    merge_by_id(&mut shocks, child_shocks, false);
    if !shocks.is_empty() {
        parent.insert("shocks".into(), Value::Array(shocks));
    }

    let mut agents = array(&mut parent, "agents");
    merge_by_id(&mut agents, array(&mut child, "agents"), true);
    parent.insert("agents".into(), Value::Array(agents));

    // An uncertainty entry is one distribution: the child's replaces the
    // parent's whole.
    if let Some(Value::Table(over)) = child.remove("uncertainty") {
        match parent.get_mut("uncertainty") {
            Some(Value::Table(base)) => base.extend(over),
            _ => {
                parent.insert("uncertainty".into(), Value::Table(over));
            }
        }
    }
    for (key, value) in child {
        match (parent.get_mut(&key), value) {
            (Some(Value::Table(base)), Value::Table(over)) => merge_tables(base, over),
            (_, value) => {
                parent.insert(key, value);
            }
        }
    }
    Ok(parent)
}

/// Removes the parent's `[uncertainty]` entries for paths `child` writes.
fn drop_overridden_uncertainty(parent: &mut Table, child: &Table, removed: &[String]) {
    let Some(Value::Table(uncertainty)) = parent.get_mut("uncertainty") else {
        return;
    };
    uncertainty.retain(|path, _| !written_by(child, removed, path));
}

/// Whether `child` writes the value at parameter path `path`.
fn written_by(child: &Table, removed: &[String], path: &str) -> bool {
    let parts: Vec<&str> = path.split('.').collect();
    let has = |table: Option<&Value>, key: &str| table.and_then(|t| t.get(key)).is_some();
    match parts.as_slice() {
        ["params", name] => has(child.get("params"), name),
        ["dyad", a, b, key] => {
            let dyad = |i: &str, j: &str| {
                child
                    .get("dyad")
                    .and_then(|d| d.get(i))
                    .and_then(|d| d.get(j))
            };
            let symmetric = matches!(*key, "N" | "R");
            has(dyad(a, b), key) || (symmetric && has(dyad(b, a), key))
        }
        ["agent", id, attr] => {
            child
                .get("agents")
                .and_then(Value::as_array)
                .is_some_and(|agents| {
                    agents
                        .iter()
                        .any(|a| id_of(a) == Some(*id) && a.get(attr).is_some())
                })
        }
        ["shock", id, ..] => {
            removed.iter().any(|r| r == id)
                || child
                    .get("shocks")
                    .and_then(Value::as_array)
                    .is_some_and(|shocks| shocks.iter().any(|s| id_of(s) == Some(*id)))
        }
        _ => false,
    }
}

/// Merges `over` into `base`, recursively, `over` winning.
fn merge_tables(base: &mut Table, over: Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(Value::Table(b)), Value::Table(o)) => merge_tables(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// Takes the array `key` out of `table` (empty when absent or not an array
/// of tables; the scenario schema then reports the type).
fn array(table: &mut Table, key: &str) -> Vec<Value> {
    match table.remove(key) {
        Some(Value::Array(items)) => items,
        Some(other) => {
            table.insert(key.to_string(), other);
            Vec::new()
        }
        None => Vec::new(),
    }
}

fn id_of(v: &Value) -> Option<&str> {
    v.get("id").and_then(Value::as_str)
}

fn path_of(v: &Value) -> Option<&str> {
    v.get("path").and_then(Value::as_str)
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .filter_map(|v| id_of(v).map(|s| format!("`{s}`")))
        .collect()
}

/// Replaces (or, with `fields`, updates key by key) the entries of `base`
/// that share an id with an entry of `over`, and appends the rest.
fn merge_by_id(base: &mut Vec<Value>, over: Vec<Value>, fields: bool) {
    for entry in over {
        let slot = id_of(&entry).and_then(|id| base.iter().position(|b| id_of(b) == Some(id)));
        match (slot, entry) {
            (Some(k), Value::Table(o)) if fields => {
                if let Value::Table(b) = &mut base[k] {
                    merge_tables(b, o);
                }
            }
            (Some(k), entry) => base[k] = entry,
            (None, entry) => base.push(entry),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn child_values_win_and_tables_merge() {
        let parent =
            table("name = 'p'\n[params]\nc_T = 2.0\nbeta_N = 1.0\n[dyad.A.B]\nP = 0.5\nE = 3.0\n");
        let child = table("name = 'c'\n[params]\nc_T = 2.5\n[dyad.A.B]\nP = 0.7\n");
        let merged = merge(parent, child).unwrap();
        assert_eq!(merged["name"].as_str(), Some("c"));
        assert_eq!(merged["params"]["c_T"].as_float(), Some(2.5));
        assert_eq!(merged["params"]["beta_N"].as_float(), Some(1.0));
        assert_eq!(merged["dyad"]["A"]["B"]["P"].as_float(), Some(0.7));
        assert_eq!(merged["dyad"]["A"]["B"]["E"].as_float(), Some(3.0));
    }

    #[test]
    fn shocks_are_replaced_whole_added_or_removed_and_their_evidence_follows() {
        let parent = table(
            "name = 'p'\n\
             [[shocks]]\nid = 'a'\nrate = 1.0\nmax_count = 2\n\
             [[shocks]]\nid = 'b'\nrate = 0.5\n\
             [[shocks]]\nid = 'c'\nrate = 0.1\n\
             [[evidence]]\npath = 'shock.a.rate'\nsource = 's'\nclaim = 'x'\n\
             [[evidence]]\npath = 'shock.a.max_count'\nsource = 's'\nclaim = 'x'\n\
             [[evidence]]\npath = 'shock.b.rate'\nsource = 's'\nclaim = 'x'\n\
             [[evidence]]\npath = 'shock.c.rate'\nsource = 's'\nclaim = 'y'\n",
        );
        let child = table(
            "name = 'c'\nremove_shocks = ['b']\n\
             [[shocks]]\nid = 'a'\nat_step = 2\nmax_count = 1\n\
             [[shocks]]\nid = 'd'\nrate = 0.3\n",
        );
        let merged = merge(parent, child).unwrap();
        let shocks = merged["shocks"].as_array().unwrap();
        let ids: Vec<&str> = shocks.iter().filter_map(id_of).collect();
        assert_eq!(ids, ["a", "c", "d"]);
        assert!(shocks[0].get("rate").is_none(), "a replaced whole");
        let evidence = merged["evidence"].as_array().unwrap();
        let paths: Vec<&str> = evidence.iter().filter_map(path_of).collect();
        // a's rate is gone, its max_count restated; b is removed.
        assert_eq!(paths, ["shock.a.max_count", "shock.c.rate"]);
    }

    #[test]
    fn removing_an_unknown_shock_names_the_inherited_ones() {
        let parent = table("name = 'p'\n[[shocks]]\nid = 'a'\nrate = 1.0\n");
        let child = table("name = 'c'\nremove_shocks = ['z']\n");
        let (key, message) = merge(parent, child).unwrap_err();
        assert_eq!(key, "remove_shocks");
        assert!(message.contains("`a`"), "{message}");
    }

    #[test]
    fn a_value_the_child_writes_is_no_longer_uncertain() {
        let parent = table(
            "name = 'p'\n[[shocks]]\nid = 's'\nrate = 1.0\n\
             [uncertainty]\n'params.c_T' = { uniform = [1.0, 3.0] }\n\
             'params.rho' = { uniform = [0.2, 0.6] }\n\
             'dyad.A.B.N' = { uniform = [0.0, 0.5] }\n\
             'shock.s.rate' = { uniform = [0.5, 1.5] }\n",
        );
        let child = table(
            "name = 'c'\n[params]\nc_T = 2.5\n[dyad.B.A]\nN = 0.2\n[[shocks]]\nid = 's'\nrate = 2.0\n",
        );
        let merged = merge(parent, child).unwrap();
        let kept: Vec<&String> = merged["uncertainty"].as_table().unwrap().keys().collect();
        assert_eq!(kept, ["params.rho"]);
    }

    #[test]
    fn agents_merge_key_by_key() {
        let parent =
            table("name = 'p'\n[[agents]]\nid = 'A'\ncapability = 0.1\naggression = 0.2\n");
        let child = table(
            "name = 'c'\n[[agents]]\nid = 'A'\naggression = 0.5\n[[agents]]\nid = 'B'\ncapability = 0.3\n",
        );
        let merged = merge(parent, child).unwrap();
        let agents = merged["agents"].as_array().unwrap();
        assert_eq!(agents.len(), 2);
        assert_eq!(agents[0]["capability"].as_float(), Some(0.1));
        assert_eq!(agents[0]["aggression"].as_float(), Some(0.5));
    }
}
