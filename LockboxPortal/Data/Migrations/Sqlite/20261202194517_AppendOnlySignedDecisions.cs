using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LockboxPortal.Data.Migrations.Sqlite
{
    /// <summary>
    /// Passkey-signed decisions are append-only like the trail that records them (DESIGN.md rule 8): the database
    /// refuses to change or remove one. `audit verify` catches what gets past this (someone who drops the triggers).
    /// </summary>
    public partial class AppendOnlySignedDecisions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TRIGGER SignedDecisions_NoUpdate BEFORE UPDATE ON SignedDecisions
                BEGIN SELECT RAISE(ABORT, 'signed decisions are append-only'); END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER SignedDecisions_NoDelete BEFORE DELETE ON SignedDecisions
                BEGIN SELECT RAISE(ABORT, 'signed decisions are append-only'); END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS SignedDecisions_NoUpdate;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS SignedDecisions_NoDelete;");
        }
    }
}
