//! TODO(helper): see the module's owner.
