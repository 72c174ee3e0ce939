"""Promotions and coupons: automatic discounts and coupon codes that the sales pricing applies."""
