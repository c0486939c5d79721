//! Records the git commit the binary is built from, so that every manifest
//! and report can say which code produced it. Outside a git checkout (a
//! source tarball, a crate from a registry) nothing is recorded and the
//! crate version alone names the code.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=ENTENTE_GIT_COMMIT");
    // A packager without git may name the commit itself.
    let commit = std::env::var("ENTENTE_GIT_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(|| git(&["rev-parse", "HEAD"]));
    if let Some(commit) = commit {
        println!("cargo:rustc-env=ENTENTE_GIT_COMMIT={commit}");
    }
    // Build again when HEAD moves: a new commit on the branch, or a switch
    // to another branch. In a worktree these files live in the shared git
    // directory, so ask git where they are.
    // A file that does not exist would make cargo run this script on every
    // build, so only existing ones are watched.
    let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
    watched.extend(git(&["symbolic-ref", "-q", "HEAD"]));
    for name in watched {
        if let Some(file) = git(&["rev-parse", "--git-path", &name])
            && std::path::Path::new(&file).exists()
        {
            println!("cargo:rerun-if-changed={file}");
        }
    }
}
