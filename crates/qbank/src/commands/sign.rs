//! `qbank keygen` and `qbank verify`: the keys that sign packs, and the check an app can also
//! run on a pack it received.

use qbank_export::PublicKey;

use crate::ExitStatus;
use crate::args::{KeygenArgs, VerifyArgs};
use crate::printer;

pub(crate) fn keygen(args: &KeygenArgs) -> anyhow::Result<ExitStatus> {
    let files = qbank_export::write_key_pair(&args.out, args.force)?;
    printer::line(&format!(
        "Wrote the secret key `{}` (keep it private: whoever holds it can sign packs) and the public key `{}`.",
        files.secret.display(),
        files.public.display()
    ))?;
    printer::line(&format!("Key id: {}", files.id))?;
    Ok(ExitStatus::Success)
}

/// Exit 0 when the pack passes, 1 when it fails; 2 (an `Err`) when the key cannot be used.
pub(crate) fn verify(args: &VerifyArgs) -> anyhow::Result<ExitStatus> {
    let key = args.key.as_deref().map(PublicKey::read).transpose()?;
    match qbank_export::verify(&args.pack, key.as_ref()) {
        Ok(verified) => {
            let signature = match (&verified.signed_by, verified.signature_checked) {
                (Some(id), true) => format!("signature by key {id} is valid"),
                (Some(id), false) => {
                    format!("signed by key {id}, signature not checked (pass --key)")
                }
                (None, _) => "not signed".to_owned(),
            };
            printer::line(&format!(
                "`{}` is intact: {} file{} match{} the manifest `{}`; {signature}.",
                args.pack.display(),
                verified.files,
                if verified.files == 1 { "" } else { "s" },
                if verified.files == 1 { "es" } else { "" },
                verified.manifest,
            ))?;
            Ok(ExitStatus::Success)
        }
        Err(failure) => {
            printer::error_line(&format!(
                "error: `{}` failed verification: {failure}",
                args.pack.display()
            ))?;
            Ok(ExitStatus::Failure)
        }
    }
}
