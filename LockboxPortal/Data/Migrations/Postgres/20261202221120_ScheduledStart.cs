using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LockboxPortal.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ScheduledStart : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "StartsAt",
                table: "AccessRequests",
                type: "bigint",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "StartsAt",
                table: "AccessRequests");
        }
    }
}
