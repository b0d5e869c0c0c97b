using System.Net;
using System.Text;
using System.Text.Json;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using static LockboxPortal.Tests.Infrastructure.ApiPortalFixture;

namespace LockboxPortal.Tests.Api;

/// <summary>
/// Finding 8: JSON binding accepted duplicate keys (the last one won), keys in another casing and enum combinations
/// such as "read,readWrite". Each of these, in an otherwise valid filing, is now a 400 problem that files nothing.
/// </summary>
public sealed class StrictJsonTests(ApiPortalFixture portal) : IClassFixture<ApiPortalFixture>
{
    private const string Scope = "\"scope\": \"Exchange:mailbox/ana@contoso.com\"";

    private static string Filing(string scope = Scope, string level = "\"read\"", string tenantKey = "tenantId") =>
        $"{{\"{tenantKey}\": \"{DemoData.ContosoId}\", {scope}, \"accessLevel\": {level}, \"reason\": \"maintenance\", \"justification\": \"Customer reports missing calendar items.\"}}";

    [Fact]
    public async Task AValidFiling_IsStillFiled()
    {
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(Filing())).StatusCode);
    }

    [Fact]
    public async Task DuplicateKeys_AreRefused()
    {
        await AssertRefusedAsync(Filing(scope: Scope + ", \"scope\": \"Exchange:mailbox/ceo@contoso.com\""));
    }

    [Fact]
    public async Task KeysInAnotherCasing_AreRefused()
    {
        await AssertRefusedAsync(Filing(tenantKey: "TenantId"));
    }

    [Theory]
    [InlineData("\"read,readWrite\"")]
    [InlineData("\"read, readWrite\"")]
    [InlineData("\"Read\"")]
    [InlineData("\"READWRITE\"")]
    [InlineData("1")]
    public async Task EnumCombinationsNumbersAndOtherCasings_AreRefused(string level)
    {
        await AssertRefusedAsync(Filing(level: level));
    }

    [Fact]
    public async Task UnknownKeys_AreRefused()
    {
        await AssertRefusedAsync(Filing().TrimEnd('}') + ", \"status\": \"approved\"}");
    }

    private async Task AssertRefusedAsync(string json)
    {
        int before;
        await using (var db = portal.NewContext())
        {
            before = db.AccessRequests.Count();
        }

        using var response = await PostAsync(json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal("https://lockboxportal.dev/problems/malformed-request", problem.GetProperty("type").GetString());
        await using var after = portal.NewContext();
        Assert.Equal(before, after.AccessRequests.Count());
    }

    private async Task<HttpResponseMessage> PostAsync(string json)
    {
        using var client = portal.Client(Engineer);
        return await client.PostAsync("/api/v1/requests", new StringContent(json, Encoding.UTF8, "application/json"));
    }
}
