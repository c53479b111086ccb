//! An in-memory view of the sites table, for origin checks that run on every public request.
//!
//! CORS preflights and escalations need a site's allow-list; asking the database each time would
//! put a query in front of every visitor request. The view reloads when it is older than
//! [`SiteDirectory::MAX_AGE`] (so sites changed through another instance show up) and at once
//! after a change made through this one.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::RwLock;

use crate::origin::OriginPattern;
use crate::store::{Site, Store, StoreError};

#[derive(Clone)]
pub struct SiteDirectory {
    store: Store,
    /// The server's own origin, allowed for every site (the widget served by this server).
    own_origin: Option<OriginPattern>,
    view: Arc<RwLock<View>>,
}

struct View {
    loaded_at: Option<Instant>,
    sites: HashMap<String, Arc<Site>>,
}

impl SiteDirectory {
    pub const MAX_AGE: Duration = Duration::from_secs(10);

    pub fn new(store: Store, own_origin: Option<OriginPattern>) -> Self {
        SiteDirectory {
            store,
            own_origin,
            view: Arc::new(RwLock::new(View {
                loaded_at: None,
                sites: HashMap::new(),
            })),
        }
    }

    /// The site with this id.
    pub async fn get(&self, id: &str) -> Result<Option<Arc<Site>>, StoreError> {
        self.refresh_if_stale().await?;
        Ok(self.view.read().await.sites.get(id).cloned())
    }

    /// Whether `origin` may call visitor endpoints of `site`.
    pub fn site_allows(&self, site: &Site, origin: &str) -> bool {
        self.is_own_origin(origin) || site.allows_origin(origin)
    }

    /// Whether `origin` may call visitor endpoints of any site (the CORS check for endpoints
    /// addressed by ticket, where the capability token, not the origin, is what authorizes).
    pub async fn any_site_allows(&self, origin: &str) -> bool {
        if self.is_own_origin(origin) {
            return true;
        }
        if let Err(err) = self.refresh_if_stale().await {
            tracing::warn!(error = %err, "cannot reload sites; using the cached view");
        }
        self.view
            .read()
            .await
            .sites
            .values()
            .any(|site| site.allows_origin(origin))
    }

    /// Forgets the cached view; the next lookup reloads it.
    pub async fn invalidate(&self) {
        self.view.write().await.loaded_at = None;
    }

    fn is_own_origin(&self, origin: &str) -> bool {
        self.own_origin
            .as_ref()
            .is_some_and(|own| own.matches(origin))
    }

    async fn refresh_if_stale(&self) -> Result<(), StoreError> {
        let fresh = |view: &View| view.loaded_at.is_some_and(|t| t.elapsed() < Self::MAX_AGE);
        if fresh(&*self.view.read().await) {
            return Ok(());
        }
        let mut view = self.view.write().await;
        if fresh(&view) {
            return Ok(()); // another request reloaded it while we waited
        }
        let sites = self.store.sites().await?;
        view.sites = sites
            .into_iter()
            .map(|site| (site.id.clone(), Arc::new(site)))
            .collect();
        view.loaded_at = Some(Instant::now());
        Ok(())
    }
}
