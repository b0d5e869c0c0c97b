using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LockboxPortal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ScheduledStart : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "StartsAt",
                table: "AccessRequests",
                type: "TEXT",
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
