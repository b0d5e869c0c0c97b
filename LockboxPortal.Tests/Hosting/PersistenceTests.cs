using System.Data.Common;
using System.Security.Claims;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Hosting;

public sealed class PersistenceTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string DatabasePath => _folder.File("lockbox.db");

    [Fact]
    public async Task StoppingAndRestarting_KeepsEveryRecord()
    {
        Guid filedId;
        int auditCount;
        await using (var first = new PortalFactory(DatabasePath))
        {
            first.CreateClient().Dispose();
            var engineer = await PrincipalOfAsync(first, "engineer@fabrikam.test");
            using var scope = first.Services.CreateScope();
            var filed = await scope.ServiceProvider.GetRequiredService<AccessRequestService>().FileAsync(engineer,
                new FileRequestInput(DemoData.ContosoId, "Exchange:mailbox/ana@contoso.com", AccessLevel.Read, "Restart keeps this request.", null, null, Reason: RequestReason.Maintenance));
            filedId = filed.Id;
            await using var db = NewContext(first);
            auditCount = await db.AuditEntries.CountAsync();
        }

        await using var second = new PortalFactory(DatabasePath);
        second.CreateClient().Dispose();
        await using var after = NewContext(second);
        var request = await after.AccessRequests.SingleAsync(r => r.Id == filedId);
        Assert.Equal("Restart keeps this request.", request.Justification);
        Assert.Equal(RequestStatus.PendingInternal, request.Status);
        Assert.Equal(auditCount, await after.AuditEntries.CountAsync());
        Assert.Equal(DemoData.People.Length, await after.Users.CountAsync());
        Assert.Equal(2, await after.Tenants.CountAsync());
    }

    [Fact]
    public async Task NewerBuild_OnAnOlderDatabase_AppliesItsMigrations_WithoutLosingData()
    {
        string[] all;
        var options = TestDatabase.WithIdentity(new DbContextOptionsBuilder<SqliteLockboxDbContext>().UseSqlite($"Data Source={DatabasePath}")).Options;
        await using (var old = new SqliteLockboxDbContext(options))
        {
            all = old.Database.GetMigrations().ToArray();
            Assert.True(all.Length >= 2, "The upgrade path needs at least two migrations.");
            await old.GetService<IMigrator>().MigrateAsync(all[0]);
            await old.Database.ExecuteSqlRawAsync("""
                INSERT INTO Tenants (Id, Name, ShortName, IsActive, CreatedAt, Policy_DefaultGrantDuration, Policy_MaxGrantDuration,
                    Policy_PendingLifetime, Policy_RequireTicketReference, Policy_RequireTwoFactor, Policy_RequiredApprovals)
                VALUES ('7e57a000-0000-4000-8000-000000000001', 'Old Tenant', 'old', 1, '2025-01-01 00:00:00', '04:00:00', '08:00:00', '12:00:00', 0, 0, 2);
                """);
        }

        SqliteConnection.ClearAllPools();
        await using var upgraded = new PortalFactory(DatabasePath, sqliteOnly: true);
        upgraded.CreateClient().Dispose();

        await using var db = NewContext(upgraded);
        Assert.Equal(all, (await db.Database.GetAppliedMigrationsAsync()).ToArray());
        var tenant = await db.Tenants.AsNoTracking().SingleAsync(t => t.ShortName == "old");
        Assert.Equal("Old Tenant", tenant.Name);
        Assert.Equal(2, tenant.Policy.RequiredApprovals);
        Assert.Equal(TimeSpan.FromHours(12), tenant.Policy.PendingLifetime);
    }

    [Fact]
    public async Task AuditEntries_CannotBeUpdatedOrDeleted_ByTheDatabase()
    {
        await using var portal = new PortalFactory(DatabasePath);
        portal.CreateClient().Dispose();
        await FileOneRequestAsync(portal);
        await using var db = NewContext(portal);
        Assert.True(await db.AuditEntries.AnyAsync());

        var update = await Assert.ThrowsAnyAsync<DbException>(() => db.Database.ExecuteSqlRawAsync("UPDATE \"AuditEntries\" SET \"ActorName\" = 'someone else'"));
        var delete = await Assert.ThrowsAnyAsync<DbException>(() => db.Database.ExecuteSqlRawAsync("DELETE FROM \"AuditEntries\""));

        Assert.Contains("append-only", update.Message, StringComparison.Ordinal);
        Assert.Contains("append-only", delete.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    private static async Task FileOneRequestAsync(PortalFactory portal)
    {
        var engineer = await PrincipalOfAsync(portal, "engineer@fabrikam.test");
        using var scope = portal.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<AccessRequestService>().FileAsync(engineer,
            new FileRequestInput(DemoData.ContosoId, "Exchange:mailbox/ana@contoso.com", AccessLevel.Read, "Something to audit.", null, null, Reason: RequestReason.Maintenance));
    }

    private static LockboxDbContext NewContext(PortalFactory portal) =>
        portal.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContext();

    private static async Task<ClaimsPrincipal> PrincipalOfAsync(PortalFactory portal, string email)
    {
        await using var db = NewContext(portal);
        var id = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
        return ServiceHarness.As(id);
    }
}
