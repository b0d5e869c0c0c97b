using LockboxPortal.Features.Audit;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Audit;

/// <summary>Sign-ins, failed sign-ins, lock-outs and sign-outs, in the chain of the organisation they concern.</summary>
public sealed class SecurityAuditTests
{
    [Theory]
    [InlineData(AuditEventType.SignIn_Succeeded)]
    [InlineData(AuditEventType.SignIn_Failed)]
    [InlineData(AuditEventType.SignIn_LockedOut)]
    [InlineData(AuditEventType.SignOut)]
    public async Task TenantMember_IsRecordedInTheTenantsChain(AuditEventType type)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var user = await UserAsync(harness, Cast.NorthwindOfficer);

        await harness.Services.GetRequiredService<SignInAudit>().RecordAsync(type, user, "nora@northwind.test", new ClientInfo("203.0.113.5", "agent/2"));

        var entry = Assert.Single(await harness.AuditAsync());
        Assert.Equal((harness.Northwind, type, Cast.NorthwindOfficer, "User", Cast.NorthwindOfficer, "203.0.113.5", "agent/2"),
            (entry.ChainId, entry.EventType, entry.ActorId, entry.SubjectType, entry.SubjectId, entry.ClientAddress, entry.UserAgent));
        Assert.Contains("nora@northwind.test", entry.DetailsJson);
    }

    [Fact]
    public async Task ProviderStaff_AreRecordedInTheProviderChain()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var user = await UserAsync(harness, Cast.Engineer);

        await harness.Services.GetRequiredService<SignInAudit>().RecordAsync(AuditEventType.SignIn_Succeeded, user, "engineer", null);

        Assert.Equal(AuditEntry.ProviderChain, Assert.Single(await harness.AuditAsync()).ChainId);
    }

    [Fact]
    public async Task UnknownAccount_FailedSignIn_IsRecordedInTheProviderChainUnderTheNameTried()
    {
        await using var harness = await ServiceHarness.CreateAsync();

        await harness.Services.GetRequiredService<SignInAudit>().RecordAsync(AuditEventType.SignIn_Failed, null, "mallory@example.test", new ClientInfo("198.51.100.9", null));

        var entry = Assert.Single(await harness.AuditAsync());
        Assert.Equal((AuditEntry.ProviderChain, AuditEventType.SignIn_Failed, "", "mallory@example.test", "mallory@example.test"),
            (entry.ChainId, entry.EventType, entry.ActorId, entry.ActorName, entry.SubjectId));
    }

    private static async Task<Features.Tenants.PortalUser> UserAsync(ServiceHarness harness, string id)
    {
        await using var db = harness.NewContext();
        return await db.Users.AsNoTracking().SingleAsync(u => u.Id == id);
    }
}
