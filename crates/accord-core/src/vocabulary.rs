//! The application contract's vocabulary: each field of
//! `spec/application-format.md`, in words an applicant understands. Missing
//! evidence is named by field path in the decision (`degrees[].programme_years`);
//! what an applicant is told to supply comes from here, never from the path.

/// The words for the field at `path`, addressed to the applicant, or `None`
/// for a path the contract does not define.
pub fn evidence_words(path: &str) -> Option<&'static str> {
    Some(match path {
        "registrations" => {
            "your professional registrations: for each, the body, the credential, \
             the date you were first registered in it, its last day of validity if it has one, and its status"
        }
        "registrations[].since" => "the date you were first registered in each credential",
        "registrations[].expires" => "the last day of validity of each registration that has one",
        "registrations[].status" => "the status of each registration, as the registering body declares it",
        "degrees" => {
            "your engineering degrees: for each, its title, the institution, the date it was conferred, \
             and the body that accredited the programme, if one did"
        }
        "degrees[].graduated_on" => "the date each of your degrees was conferred",
        "degrees[].accredited_by" => "the body that accredited the programme of each of your degrees",
        "degrees[].programme_years" => {
            "the length in years of the programme of each of your degrees (for example, 4 for a four-year programme)"
        }
        "degrees[].equivalence_assessment" | "degrees[].equivalence_assessment.by" | "degrees[].equivalence_assessment.on" => {
            "the assessment of your degree as substantially equivalent to an accredited one: the body that made it and its date"
        }
        "experience" => {
            "your engineering employment: for each period, the employer, your role, its first and last days, \
             the fraction of full time you worked, and whether you were in responsible charge of significant engineering work"
        }
        "experience[].to" => "the last day of each employment period that has ended",
        "experience[].fte" => "the fraction of full time you worked in each employment period",
        "experience[].responsible_charge" => {
            "for each employment period, whether you were in responsible charge of significant engineering work"
        }
        "cpd" => {
            "the continuing professional development you completed: each activity, its hours and the date you completed it"
        }
        "sanctions" => {
            "the disciplinary matters your home body has recorded, with their dates and status \
             (an empty list if there are none)"
        }
        "applicant.name" => "your full name",
        "applicant.date_of_birth" => "your date of birth",
        "home_body" => "the body that holds your current professional registration",
        "host_body" => "the body you ask to recognise you",
        "discipline" => "the engineering discipline in which you seek recognition",
        "applied_on" => "the date you lodged the application",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_and_the_programme_length_have_words_and_no_path_leaks() {
        for path in [
            "registrations",
            "degrees",
            "degrees[].programme_years",
            "experience",
            "cpd",
            "sanctions",
        ] {
            let words = evidence_words(path).unwrap_or_default();
            assert!(!words.is_empty(), "{path}");
            assert!(!words.contains('[') && !words.contains('_'), "{path}: {words}");
        }
        assert_eq!(evidence_words("degrees[].colour"), None);
    }
}
