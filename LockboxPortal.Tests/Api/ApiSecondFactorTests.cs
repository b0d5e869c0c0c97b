using System.Net;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LockboxPortal.Tests.Infrastructure.ApiPortalFixture;

namespace LockboxPortal.Tests.Api;

/// <summary>
/// An API token carries no second factor, so in a tenant that requires one (and asks for no fresh factor, which would
/// supply it: see <see cref="ApiFreshFactorTests"/>) a decision through the API is refused with a problem that says why.
/// </summary>
public sealed class ApiSecondFactorTests(ApiPortalFixture portal) : IClassFixture<ApiPortalFixture>
{
    [Fact]
    public async Task ADecisionThroughTheApi_InATenantThatRequiresTwoFactor_IsRefused_WithAProblemThatSaysWhy()
    {
        var id = await portal.PendingCustomerAsync();
        await using (var db = portal.NewContext())
        {
            var contoso = await db.AccessRequests.Where(r => r.Id == id).Select(r => r.TenantId).SingleAsync();
            var tenant = await db.Tenants.SingleAsync(t => t.Id == contoso);
            tenant.ChangePolicy(tenant.Policy with { RequireTwoFactor = true, RequireFreshFactor = false });
            await db.SaveChangesAsync();
        }

        var response = await portal.DecideAsync(Approver1, id, "approve", ensure: false);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal("https://lockboxportal.dev/problems/second-factor-required", problem.GetProperty("type").GetString());
        await using var after = portal.NewContext();
        Assert.Equal(Features.AccessRequests.RequestStatus.PendingCustomer, (await after.AccessRequests.SingleAsync(r => r.Id == id)).Status);
    }
}
