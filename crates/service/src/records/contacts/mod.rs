//! Contacts, saved filters, CSV export and import (R-CON-1, R-CON-2).
