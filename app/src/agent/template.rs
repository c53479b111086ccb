//! Canned-response variables: `{{contact.name}}`, `{{agent.name}}`, `{{ticket.id}}`.

/// The values a canned response may use, taken from the open case and the signed-in agent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Variables {
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub agent_name: String,
    pub ticket_id: String,
}

impl Variables {
    fn get(&self, name: &str) -> Option<&str> {
        match name {
            "contact.name" => self.contact_name.as_deref(),
            "contact.email" => self.contact_email.as_deref(),
            "agent.name" => Some(&self.agent_name),
            "ticket.id" => Some(&self.ticket_id),
            _ => None,
        }
    }
}

/// Fills in `{{variable}}` placeholders (spaces inside the braces allowed). A known variable
/// without a value becomes empty rather than leaking braces to the visitor (a missing name
/// reads "Hi ," at worst); an unknown variable is left as written so the agent notices it.
pub fn expand(template: &str, vars: &Variables) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = after[..end].trim();
        match name {
            "contact.name" | "contact.email" | "agent.name" | "ticket.id" => {
                out.push_str(vars.get(name).unwrap_or_default())
            }
            _ => out.push_str(&rest[start..start + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// The canned-response shortcut being typed: the draft is `/word` and nothing else yet.
pub fn shortcut_prefix(draft: &str) -> Option<&str> {
    let word = draft.strip_prefix('/')?;
    (!word.contains(char::is_whitespace)).then_some(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Variables {
        Variables {
            contact_name: Some("Ada".into()),
            contact_email: None,
            agent_name: "Grace".into(),
            ticket_id: "T-42".into(),
        }
    }

    #[test]
    fn fills_known_variables() {
        assert_eq!(
            expand(
                "Hi {{contact.name}}, {{ agent.name }} here about {{ticket.id}}.",
                &vars()
            ),
            "Hi Ada, Grace here about T-42."
        );
    }

    #[test]
    fn missing_values_are_empty_and_unknown_names_stay() {
        assert_eq!(expand("<{{contact.email}}>", &vars()), "<>");
        assert_eq!(expand("{{order.id}} {{", &vars()), "{{order.id}} {{");
    }

    #[test]
    fn recognizes_a_shortcut_being_typed() {
        assert_eq!(shortcut_prefix("/ref"), Some("ref"));
        assert_eq!(shortcut_prefix("/"), Some(""));
        assert_eq!(shortcut_prefix("/refund now"), None);
        assert_eq!(shortcut_prefix("refund"), None);
    }
}
