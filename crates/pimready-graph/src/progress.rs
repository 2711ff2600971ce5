//! Collection progress, reported through a plain callback (`FnMut(Progress)`): the CLI
//! draws a bar from it, the desktop app streams it over a channel.

use pimready_core::snapshot::{Dataset, GapReason};

/// One step of a collection. Every dataset gets one `Started` and then exactly one of
/// `Finished` or `Gap`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Reading of a dataset began.
    Started { dataset: Dataset },
    /// The dataset was read: `items` objects.
    Finished { dataset: Dataset, items: usize },
    /// The dataset could not be read; the snapshot records a gap.
    Gap {
        dataset: Dataset,
        reason: GapReason,
        detail: String,
    },
}

impl Progress {
    pub fn dataset(&self) -> Dataset {
        match self {
            Progress::Started { dataset }
            | Progress::Finished { dataset, .. }
            | Progress::Gap { dataset, .. } => *dataset,
        }
    }

    /// Whether the dataset is done (read or gapped).
    pub fn is_done(&self) -> bool {
        !matches!(self, Progress::Started { .. })
    }
}

/// How many datasets a collection reports (for a progress bar's length).
pub const DATASET_COUNT: usize = Dataset::ALL.len();
