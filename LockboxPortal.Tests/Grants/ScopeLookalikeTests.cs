using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Grants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Grants;

/// <summary>
/// Finding 6 of the outside test: lookalike traversal, percent-encoding, wildcards and hidden characters were filed,
/// and allowed beneath a grant by the access check. Both now refuse them, with the same message.
/// </summary>
public sealed class ScopeLookalikeTests
{
    private const string Granted = "Exchange:mailbox/ana@contoso.com";
    private static readonly Actor DataPlane = new("client:data-plane", "Data plane");

    public static TheoryData<string> Lookalikes() => new(
        Granted + "/%2e%2e/bob@contoso.com",
        Granted + "/.%2e/bob@contoso.com",
        Granted + "/..\\bob@contoso.com",
        Granted + "/\uff0e\uff0e/bob@contoso.com",
        Granted + "/\u2025/bob@contoso.com",
        Granted + "/*",
        Granted + "/inbox%",
        Granted + "/\u202Exobni",
        Granted + "/in\u200Bbox");

    [Theory]
    [MemberData(nameof(Lookalikes))]
    public async Task Lookalike_IsRefusedAtFiling_AndNothingIsFiled(string scope)
    {
        await using var harness = await ServiceHarness.CreateAsync();

        var refused = await Assert.ThrowsAsync<InvalidInputException>(() => harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput(scope: scope)));

        Assert.Contains("Scope", refused.Errors.Keys);
        await using var db = harness.NewContext();
        Assert.False(await db.AccessRequests.AnyAsync());
    }

    [Theory]
    [MemberData(nameof(Lookalikes))]
    public async Task Lookalike_BeneathAnOpenGrant_IsRefusedByTheAccessCheck(string scope)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await harness.ApprovedAsync(scope: Granted);
        var checks = harness.Services.GetRequiredService<AccessCheckService>();
        Assert.True((await checks.CheckAsync(new AccessCheckInput("contoso", Cast.Engineer, Granted + "/inbox", AccessLevel.Read), DataPlane, null)).IsAllowed);

        var refused = await Assert.ThrowsAsync<InvalidInputException>(() =>
            checks.CheckAsync(new AccessCheckInput("contoso", Cast.Engineer, scope, AccessLevel.Read), DataPlane, null));

        Assert.Contains("Scope", refused.Errors.Keys);
    }
}
