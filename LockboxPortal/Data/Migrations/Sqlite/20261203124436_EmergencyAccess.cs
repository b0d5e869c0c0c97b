using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LockboxPortal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EmergencyAccess : Migration
    {
        /// <summary>Existing tenants keep emergency access off, with the policy's defaults: a 24 h window and a 60 minute grant.</summary>
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "Policy_AllowEmergencyAccess",
                table: "Tenants",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<TimeSpan>(
                name: "Policy_EmergencyGrantDuration",
                table: "Tenants",
                type: "TEXT",
                nullable: false,
                defaultValue: new TimeSpan(0, 1, 0, 0, 0));

            migrationBuilder.AddColumn<TimeSpan>(
                name: "Policy_EmergencyRatificationWindow",
                table: "Tenants",
                type: "TEXT",
                nullable: false,
                defaultValue: new TimeSpan(1, 0, 0, 0, 0));

            migrationBuilder.AddColumn<string>(
                name: "IncidentReference",
                table: "AccessRequests",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Ratification",
                table: "AccessRequests",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReviewNote",
                table: "AccessRequests",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ReviewedAt",
                table: "AccessRequests",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReviewedByName",
                table: "AccessRequests",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_AccessRequests_Ratification_ExpiresAt",
                table: "AccessRequests",
                columns: new[] { "Ratification", "ExpiresAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AccessRequests_Ratification_ExpiresAt",
                table: "AccessRequests");

            migrationBuilder.DropColumn(
                name: "Policy_AllowEmergencyAccess",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "Policy_EmergencyGrantDuration",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "Policy_EmergencyRatificationWindow",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "IncidentReference",
                table: "AccessRequests");

            migrationBuilder.DropColumn(
                name: "Ratification",
                table: "AccessRequests");

            migrationBuilder.DropColumn(
                name: "ReviewNote",
                table: "AccessRequests");

            migrationBuilder.DropColumn(
                name: "ReviewedAt",
                table: "AccessRequests");

            migrationBuilder.DropColumn(
                name: "ReviewedByName",
                table: "AccessRequests");
        }
    }
}
