using System.Net;
using System.Net.Http.Json;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LockboxPortal.Tests.Infrastructure.ApiPortalFixture;

namespace LockboxPortal.Tests.Api;

/// <summary>
/// Through the API, a customer decision or revoke in a tenant that asks for a fresh factor carries a <c>totp</c> field
/// (the code the caller's authenticator app shows now), or is refused with a problem whose type says why.
/// </summary>
public sealed class ApiFreshFactorTests(ApiPortalFixture portal) : IClassFixture<ApiPortalFixture>
{
    [Fact]
    public async Task ADecision_WithoutACode_WithAWrongOne_OrAnOldOne_IsRefused_SayingWhy_WithTheCodeShownNow_ItCounts()
    {
        var key = await RequireTwoFactorAsync();
        var id = await portal.PendingCustomerAsync(scope: $"Exchange:mailbox/{Guid.NewGuid():N}@contoso.com");
        var now = DateTimeOffset.UtcNow;
        var right = Totp.Code(key, now);
        var wrong = right == "000000" ? "000001" : "000000";

        await AssertRefusedAsync(await DecideAsync(id, totp: null), "fresh-factor-missing", id);
        await AssertRefusedAsync(await DecideAsync(id, wrong), "fresh-factor-wrong", id);
        await AssertRefusedAsync(await DecideAsync(id, Totp.Code(key, now.AddMinutes(-6))), "fresh-factor-stale", id);

        var counted = await DecideAsync(id, right);
        Assert.Equal(HttpStatusCode.OK, counted.StatusCode);
        Assert.Equal("approved", (await counted.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(Json)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task ARevoke_WithoutACode_IsRefused_SayingWhy()
    {
        await using (var db = portal.NewContext())
        {
            var tenant = await db.Tenants.SingleAsync(t => t.ShortName == "contoso");
            tenant.ChangePolicy(tenant.Policy with { RequireTwoFactor = false });
            await db.SaveChangesAsync();
        }

        var id = await portal.ApprovedAsync(scope: $"Exchange:mailbox/{Guid.NewGuid():N}@contoso.com");
        await RequireTwoFactorAsync();
        using var client = portal.Client(Approver1);

        var response = await client.PostAsJsonAsync($"/api/v1/requests/{id}/revoke", new { reason = "no code" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("https://lockboxportal.dev/problems/fresh-factor-missing", (await ProblemAsync(response)).GetProperty("type").GetString());
    }

    private async Task<string> RequireTwoFactorAsync()
    {
        await using var db = portal.NewContext();
        var tenant = await db.Tenants.SingleAsync(t => t.ShortName == "contoso");
        tenant.ChangePolicy(tenant.Policy with { RequireTwoFactor = true, RequireFreshFactor = true });
        await db.SaveChangesAsync();
        return await Authenticators.EnrolAsync(db, Approver1);
    }

    private async Task<HttpResponseMessage> DecideAsync(Guid id, string? totp)
    {
        using var client = portal.Client(Approver1);
        return await client.PostAsJsonAsync($"/api/v1/requests/{id}/decision", new { decision = "approve", comment = "ok", totp });
    }

    private async Task AssertRefusedAsync(HttpResponseMessage response, string code, Guid id)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal($"https://lockboxportal.dev/problems/{code}", (await ProblemAsync(response)).GetProperty("type").GetString());
        await using var db = portal.NewContext();
        Assert.Equal(RequestStatus.PendingCustomer, (await db.AccessRequests.SingleAsync(r => r.Id == id)).Status);
    }
}
