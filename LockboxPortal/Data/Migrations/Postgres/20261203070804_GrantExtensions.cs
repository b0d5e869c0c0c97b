using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LockboxPortal.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class GrantExtensions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ExtendsReference",
                table: "AccessRequests",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ExtendsRequestId",
                table: "AccessRequests",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_AccessRequests_ExtendsRequestId",
                table: "AccessRequests",
                column: "ExtendsRequestId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AccessRequests_ExtendsRequestId",
                table: "AccessRequests");

            migrationBuilder.DropColumn(
                name: "ExtendsReference",
                table: "AccessRequests");

            migrationBuilder.DropColumn(
                name: "ExtendsRequestId",
                table: "AccessRequests");
        }
    }
}
