using System.Text.RegularExpressions;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Hosting;

public sealed class DemoDataTests(DemoPortalFixture portal) : IClassFixture<DemoPortalFixture>
{
    [Fact]
    public async Task DemoRequests_CarryTheirHistoryInTheTrail_AndEveryChainVerifies()
    {
        portal.Factory.CreateClient().Dispose();
        await using var db = portal.Factory.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContext();
        var requests = await db.AccessRequests.AsNoTracking().Include(r => r.Decisions).ToListAsync();
        Assert.Contains(requests, r => r.Status == RequestStatus.PendingInternal);
        Assert.Contains(requests, r => r.Status == RequestStatus.PendingCustomer);
        Assert.Contains(requests, r => r.Status == RequestStatus.Approved);
        Assert.Contains(requests, r => r.Status == RequestStatus.Rejected);

        foreach (var request in requests)
        {
            var history = await db.AuditEntries.AsNoTracking().Where(e => e.SubjectId == request.Id.ToString()).OrderBy(e => e.Sequence).ToListAsync();
            Assert.Equal(AuditEventType.AccessRequest_Filed, history[0].EventType);
            Assert.Equal(request.Decisions.OrderBy(d => d.DecidedAt).Select(d => d.DeciderId), history.Skip(1).Take(request.Decisions.Count).Select(e => e.ActorId));
            Assert.Equal(request.Status == RequestStatus.Approved, history.Any(e => e.EventType == AuditEventType.Grant_Opened));
        }

        var store = portal.Factory.Services.GetRequiredService<AuditReader>();
        foreach (var chain in new[] { DemoData.ContosoId, DemoData.NorthwindId })
        {
            var verification = await store.VerifyAsync(chain);
            Assert.True(verification.IsIntact, verification.ToString());
        }
    }

    [Fact]
    public async Task TheOperator_IsATenantAdminOnBothTenantsApproverLists_AndNowhereElse()
    {
        portal.Factory.CreateClient().Dispose();
        await using var db = portal.Factory.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContext();
        var id = await db.Users.Where(u => u.Email == "operator@msp.test").Select(u => u.Id).SingleAsync();

        var memberships = await db.Memberships.AsNoTracking().Where(m => m.UserId == id).Select(m => new { m.TenantId, m.Role }).ToListAsync();
        var lists = await db.ApproverListEntries.AsNoTracking().Where(e => e.UserId == id).Select(e => e.TenantId).ToListAsync();

        Guid[] both = [DemoData.ContosoId, DemoData.NorthwindId];
        Assert.All(memberships, m => Assert.Equal(PortalRole.TenantAdmin, m.Role));
        Assert.Equal(both.Order(), memberships.Select(m => m.TenantId!.Value).Order());
        Assert.Equal(both.Order(), lists.Order());
    }

    [Fact]
    public async Task Contoso_RequiresTwoFactor_AndItsPeopleSignInWithThePrintedKeys_NorthwindDoesNot()
    {
        // A portal without demo data (not Development), seeded here with generated keys, as a tester's first start is.
        using var folder = new TempFolder();
        await using var factory = new PortalFactory(folder.File("lockbox.db"), environment: "Production");
        factory.CreateClient().Dispose();
        var console = new StringWriter();
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [DemoData.PasswordKey] = PortalFactory.DemoPassword }).Build();

        await DemoData.SeedIfEmptyAsync(factory.Services, settings, console);

        var printed = console.ToString();
        Assert.Contains("oathtool --totp -b", printed, StringComparison.Ordinal);
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var db = scope.ServiceProvider.GetRequiredService<LockboxDbContext>();
        Assert.True((await db.Tenants.SingleAsync(t => t.Id == DemoData.ContosoId)).Policy.RequireTwoFactor);
        Assert.False((await db.Tenants.SingleAsync(t => t.Id == DemoData.NorthwindId)).Policy.RequireTwoFactor);
        var keys = new HashSet<string>();
        foreach (var person in DemoData.People)
        {
            var user = await users.FindByEmailAsync(person.Email);
            Assert.NotNull(user);
            Assert.Equal(person.Tenants.Contains(DemoData.ContosoId), user.TwoFactorEnabled);
            if (!person.Tenants.Contains(DemoData.ContosoId))
            {
                continue;
            }

            var key = Regex.Match(printed, $@"{Regex.Escape(person.Email)}\s+([A-Z2-7]{{16,}})\s").Groups[1].Value;
            Assert.True(key.Length > 0, $"no key printed for {person.Email}");
            Assert.True(keys.Add(key), "each generated key is the person's own");
            Assert.True(await users.VerifyTwoFactorTokenAsync(user, TokenOptions.DefaultAuthenticatorProvider, Totp.Now(key)), person.Email);
        }
    }
}
