using System.Security.Claims;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Infrastructure;

/// <summary>Requests and policies set up through the app's own services, as demo people, for browser tests.</summary>
public static class DemoRequests
{
    public const string Justification = "Calendar items vanish after the migration; need to read the mailbox folders.";

    /// <summary>Files a request for Contoso (or <paramref name="tenant"/>) as the demo engineer and returns it.</summary>
    public static async Task<AccessRequest> FileAsync(
        LivePortal portal, string scope = "Exchange:mailbox/ana@contoso.com", string justification = Justification, string? ticket = null,
        Guid? tenant = null)
    {
        await using var services = portal.Factory.Services.CreateAsyncScope();
        var requests = services.ServiceProvider.GetRequiredService<AccessRequestService>();
        return await requests.FileAsync(await PrincipalAsync(services.ServiceProvider, "engineer@fabrikam.test"),
            new FileRequestInput(tenant ?? DemoData.ContosoId, scope, AccessLevel.Read, justification, ticket, TimeSpan.FromHours(2), Reason: RequestReason.Maintenance));
    }

    /// <summary>Files a request and has the demo manager approve the internal stage, so it waits for Contoso (or <paramref name="tenant"/>).</summary>
    public static async Task<AccessRequest> AwaitingCustomerAsync(
        LivePortal portal, string scope = "SharePoint:site/hr", string justification = Justification, Guid? tenant = null)
    {
        var filed = await FileAsync(portal, scope, justification, tenant: tenant);
        await using var services = portal.Factory.Services.CreateAsyncScope();
        var requests = services.ServiceProvider.GetRequiredService<AccessRequestService>();
        return await requests.DecideInternalAsync(await PrincipalAsync(services.ServiceProvider, "manager@fabrikam.test"), filed.Id, approve: true, "ok");
    }

    /// <summary>Contoso's officer sets how many customer approvals a request needs from now on.</summary>
    public static async Task RequireApprovalsAsync(LivePortal portal, int required)
    {
        await using var services = portal.Factory.Services.CreateAsyncScope();
        await using var db = await services.ServiceProvider.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContextAsync();
        var policy = (await db.Tenants.SingleAsync(t => t.Id == DemoData.ContosoId)).Policy;
        // Contoso requires two-factor for policy changes: the officer acts from a session signed in with the second factor.
        var officer = await PrincipalAsync(services.ServiceProvider, "officer@contoso.test");
        ((ClaimsIdentity)officer.Identity!).AddClaim(new Claim(Authorization.ActingUser.AuthenticationMethodClaim, Authorization.ActingUser.MultiFactor));
        Assert.Equal(ChangeOutcome.Applied, await services.ServiceProvider.GetRequiredService<ApproverListService>().ChangePolicyAsync(
            officer, DemoData.ContosoId, policy with { RequiredApprovals = required }));
    }

    public static async Task<RequestStatus> StatusAsync(LivePortal portal, Guid requestId)
    {
        await using var db = await portal.Factory.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContextAsync();
        return (await db.AccessRequests.SingleAsync(r => r.Id == requestId)).Status;
    }

    private static async Task<ClaimsPrincipal> PrincipalAsync(IServiceProvider services, string email)
    {
        var user = await services.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(email)
            ?? throw new InvalidOperationException($"No demo user {email}.");
        return new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user.Id)], "Test"));
    }
}
