import { Migration } from '@mikro-orm/migrations';

/**
 * Orders and their lines. An order belongs to a user and goes with it (`on delete cascade`), its
 * lines go with the order; the user repository also deletes a user's orders explicitly, in the
 * same transaction as the user, so the cascade is a guarantee of the schema rather than the only
 * mechanism. The CHECKs repeat the domain's limits that a row could break on its own: a status
 * outside the table, a malformed currency, a quantity outside 1..1000, a negative amount.
 *
 * `orders_user_id_created_at_id_idx` serves "the orders of user X, newest first" (the list
 * endpoint's only order, with or without a status filter) and the lookups the foreign key's
 * cascade makes; the primary key of `order_items` serves reading an order's lines in position
 * order and their cascade.
 */
export class Migration20260102000000_create_orders extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "orders" (
        "id" integer generated always as identity,
        "user_id" integer not null,
        "status" text not null,
        "currency" char(3) not null,
        "total_cents" bigint not null,
        "created_at" timestamptz(3) not null,
        "updated_at" timestamptz(3) not null,
        "version" integer not null,
        constraint "orders_pkey" primary key ("id"),
        constraint "orders_user_id_fkey" foreign key ("user_id") references "users" ("id") on update no action on delete cascade,
        constraint "orders_status_check" check ("status" in ('pending', 'paid', 'shipped', 'delivered', 'cancelled')),
        constraint "orders_currency_check" check (currency ~ '^[A-Z]{3}$'),
        constraint "orders_total_cents_check" check (total_cents >= 0)
      )`);
    this.addSql(
      `create index "orders_user_id_created_at_id_idx" on "orders" ("user_id", "created_at" desc, "id" desc)`,
    );
    this.addSql(`
      create table "order_items" (
        "order_id" integer not null,
        "position" integer not null,
        "sku" varchar(64) not null,
        "quantity" integer not null,
        "unit_price_cents" bigint not null,
        constraint "order_items_pkey" primary key ("order_id", "position"),
        constraint "order_items_order_id_fkey" foreign key ("order_id") references "orders" ("id") on update no action on delete cascade,
        constraint "order_items_position_check" check (position >= 0),
        constraint "order_items_quantity_check" check (quantity >= 1 and quantity <= 1000),
        constraint "order_items_unit_price_cents_check" check (unit_price_cents >= 0)
      )`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "order_items"`);
    this.addSql(`drop table if exists "orders"`);
  }
}
