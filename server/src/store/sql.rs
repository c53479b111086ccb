//! A query assembled piece by piece with `$n` placeholders.
//!
//! sqlx's `QueryBuilder<Any>` writes `?`, which PostgreSQL rejects; numbered placeholders work on
//! both backends, so dynamic queries (ticket filters) are built with this instead.

use sqlx::any::{AnyArguments, AnyQueryResult, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, Executor};

/// Most placeholders a multi-row statement should carry. SQLite finds a numbered placeholder
/// (`$n`) by a linear search through the statement's parameter names, both while preparing it
/// and again for every value sqlx binds, so a statement's cost grows with the square of its
/// placeholders: one 10,000-placeholder `INSERT` of 800 conversation events spent four fifths of
/// the server's CPU in that search (`sqlite3_bind_parameter_name`), capping event ingest at a few
/// thousand events a second. Bulk writes split into statements of at most this many instead;
/// one statement more costs a round trip to the driver, far less.
pub(crate) const MAX_STATEMENT_BINDS: usize = 600;

/// A value bound to a placeholder.
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Text(String),
    Int(i64),
    OptionalText(Option<String>),
    OptionalInt(Option<i64>),
    OptionalFloat(Option<f64>),
}

/// SQL text plus the values for its placeholders, in order.
#[derive(Debug, Default)]
pub(crate) struct Sql {
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    pub(crate) fn new(text: &str) -> Sql {
        Sql {
            text: text.to_owned(),
            binds: Vec::new(),
        }
    }

    /// Appends literal SQL.
    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends the next placeholder and remembers its value.
    pub(crate) fn bind(&mut self, value: Bind) -> &mut Self {
        self.binds.push(value);
        self.text.push('$');
        self.text.push_str(&self.binds.len().to_string());
        self
    }

    pub(crate) fn bind_text(&mut self, value: impl Into<String>) -> &mut Self {
        self.bind(Bind::Text(value.into()))
    }

    pub(crate) fn bind_int(&mut self, value: i64) -> &mut Self {
        self.bind(Bind::Int(value))
    }

    /// Binds `value` once and answers its placeholder, for a value that recurs in every row of a
    /// multi-row statement (SQLite looks a `$n` up by name, so fewer placeholders bind faster).
    pub(crate) fn shared(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    /// Appends `(…)`: a placeholder for each value, then `rest` (literal SQL: constants, shared
    /// placeholders) inside the parentheses. One row of a multi-row `VALUES`.
    pub(crate) fn tuple(
        &mut self,
        values: impl IntoIterator<Item = Bind>,
        rest: &str,
    ) -> &mut Self {
        self.text.push('(');
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(value);
        }
        self.text.push_str(rest);
        self.text.push(')');
        self
    }

    fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        self.binds
            .iter()
            .fold(sqlx::query(&self.text), |query, bind| match bind {
                Bind::Text(text) => query.bind(text.as_str()),
                Bind::Int(int) => query.bind(*int),
                Bind::OptionalText(text) => query.bind(text.as_deref()),
                Bind::OptionalInt(int) => query.bind(*int),
                Bind::OptionalFloat(float) => query.bind(*float),
            })
    }

    pub(crate) async fn fetch_all<'e>(
        &self,
        executor: impl Executor<'e, Database = Any>,
    ) -> Result<Vec<AnyRow>, sqlx::Error> {
        self.query().fetch_all(executor).await
    }

    pub(crate) async fn execute<'e>(
        &self,
        executor: impl Executor<'e, Database = Any>,
    ) -> Result<AnyQueryResult, sqlx::Error> {
        self.query().execute(executor).await
    }
}

/// `text` as a `LIKE` pattern matching it anywhere, with `\` as the escape character.
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_placeholders_in_order() {
        let mut sql = Sql::new("SELECT 1 WHERE a = ");
        sql.bind_text("x").push(" AND b = ").bind_int(2);
        assert_eq!(sql.text, "SELECT 1 WHERE a = $1 AND b = $2");
        assert_eq!(sql.binds.len(), 2);
    }

    #[test]
    fn tuples_continue_the_numbering() {
        let mut sql = Sql::new("INSERT INTO t (a, b) VALUES ");
        sql.tuple([Bind::Int(1), Bind::OptionalText(None)], "")
            .push(", ")
            .tuple([Bind::Int(2), Bind::Text("x".into())], "");
        assert_eq!(sql.text, "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)");

        let mut sql = Sql::new("INSERT INTO t (a, b, c) VALUES ");
        let now = sql.shared(Bind::Int(7));
        sql.tuple([Bind::Int(1)], &format!(", 'x', {now}"));
        assert_eq!(sql.text, "INSERT INTO t (a, b, c) VALUES ($2, 'x', $1)");
    }

    #[test]
    fn escapes_like_wildcards() {
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
