"""Permissions, the built-in roles and the modules (entitlements) they open."""

PERMISSIONS: dict[str, str] = {
    "catalog:read": "See products, variants and categories",
    "catalog:write": "Create and change products, variants and categories",
    "inventory:read": "See stock levels and movements",
    "inventory:write": "Adjust, count and transfer stock",
    "orders:read": "See orders and receipts",
    "orders:write": "Ring up orders and take payments",
    "orders:refund": "Refund orders",
    "orders:void": "Void orders",
    "orders:price_override": "Override unit prices and give large discounts",
    "purchasing:read": "See suppliers and purchase orders",
    "purchasing:write": "Create and receive purchase orders",
    "customers:read": "See customers, loyalty and store credit",
    "customers:write": "Create and change customers",
    "customers:erase": "Erase a customer's personal data (privacy requests)",
    "loyalty:adjust": "Add or take away a customer's loyalty points by hand",
    "store_credit:adjust": "Issue or take back store credit by hand, with a reason",
    "gift_cards:read": "Look up gift cards and their balances",
    "gift_cards:manage": "Register or generate gift card codes, reload by hand and deactivate",
    "promotions:write": "Create and change promotions and coupon codes",
    "reports:read": "See reports",
    "accounting:export": "Export the books (journals for QuickBooks and Xero) and close days",
    "settings:read": "See locations, registers, tax classes and rates",
    "settings:write": "Change locations, registers, tax classes, rates and tenant settings",
    "registers:pair": "Pair a register's device so employees can sign in there by PIN; unpair it",
    "staff:read": "See users, employees and roles",
    "staff:write": "Create and change users, employees and roles",
    "api_keys:manage": "Create and revoke API keys",
    "events:read": "Read the event feed",
    "webhooks:manage": "Create and change webhook subscriptions and see their deliveries",
    "audit:read": "Read the audit log",
}

ALL = frozenset(PERMISSIONS)

BUILT_IN_ROLES: dict[str, frozenset[str]] = {
    "owner": ALL,
    # Keys and webhooks send the store's data elsewhere, and erasing a person cannot be
    # undone: the owner's call.
    # Closing a day for the books is the owner's (or their bookkeeper's) call too.
    "manager": ALL - {"api_keys:manage", "webhooks:manage", "customers:erase", "accounting:export"},
    "cashier": frozenset(
        {
            "catalog:read",
            "inventory:read",
            "orders:read",
            "orders:write",
            "customers:read",
            "customers:write",
            "gift_cards:read",
            "settings:read",
        }
    ),
    "integration": frozenset(
        {
            "catalog:read",
            "catalog:write",
            "inventory:read",
            "inventory:write",
            "orders:read",
            "orders:write",
            # Channel orders arrive with the channel's own prices and discounts.
            "orders:price_override",
            "purchasing:read",
            "purchasing:write",
            "customers:read",
            "customers:write",
            "gift_cards:read",
            "reports:read",
            "accounting:export",
            "settings:read",
            "events:read",
            "webhooks:manage",
        }
    ),
}

# A module is listed in ``user.entitlements`` when the principal holds any of its permissions.
MODULES: dict[str, str] = {
    "catalog": "catalog",
    "inventory": "inventory",
    "orders": "orders",
    "purchasing": "purchasing",
    "customers": "customers",
    "loyalty": "customers",
    "store_credit": "customers",
    "gift_cards": "customers",
    "promotions": "catalog",
    "reports": "reports",
    "accounting": "reports",
    "settings": "settings",
    "registers": "settings",
    "staff": "staff",
    "api_keys": "integrations",
    "events": "integrations",
    "webhooks": "integrations",
    "audit": "settings",
}


def entitlements(permissions: frozenset[str]) -> list[str]:
    return sorted({MODULES[p.split(":", 1)[0]] for p in permissions})
