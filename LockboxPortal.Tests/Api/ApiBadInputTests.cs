using LockboxPortal.Tests.Infrastructure;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LockboxPortal.Hosting;
using Microsoft.EntityFrameworkCore;
using static LockboxPortal.Tests.Infrastructure.ApiPortalFixture;

namespace LockboxPortal.Tests.Api;

/// <summary>Bad input gets a problem response, never a 500, and writes nothing.</summary>
public sealed class ApiBadInputTests(ApiPortalFixture portal) : IClassFixture<ApiPortalFixture>
{
    private static readonly string Valid = JsonSerializer.Serialize(new
    {
        tenantId = DemoData.ContosoId, scope = "Exchange:mailbox/ana@contoso.com", accessLevel = "read", reason = "maintenance", justification = "Customer reports missing items.",
    });

    public static TheoryData<string, string> BadFilings => new()
    {
        { "{\"tenantId\": ", "malformed-request" },
        { "not json at all", "malformed-request" },
        { "[1,2,3]", "malformed-request" },
        { Valid.Replace("\"read\"", "\"admin\""), "malformed-request" },
        { Valid.Replace("\"read\"", "1"), "malformed-request" },
        { Valid.Replace(DemoData.ContosoId.ToString(), "not-a-guid"), "malformed-request" },
        { "{}", "validation" },
        { Valid.Replace("\"Customer reports missing items.\"", "null"), "validation" },
        { Valid.Replace("Customer reports missing items.", new string('x', 2001)), "validation" },
        { Valid.Replace("Exchange:mailbox/ana@contoso.com", "Exchange:mailbox/" + new string('a', 5000)), "validation" },
        { Valid.Replace("\"Exchange:mailbox/ana@contoso.com\"", "\"\""), "validation" },
        { Valid.Replace(DemoData.ContosoId.ToString(), Guid.NewGuid().ToString()), "validation" },
        { Valid.TrimEnd('}') + ",\"durationMinutes\": -5}", "validation" },
        { Valid.TrimEnd('}') + ",\"ticketReference\": \"" + new string('t', 500) + "\"}", "validation" },
        { Valid.TrimEnd('}') + ",\"startsAt\": \"2020-01-01T08:00:00Z\"}", "validation" },
        { Valid.TrimEnd('}') + ",\"startsAt\": \"" + DateTimeOffset.UtcNow.AddDays(8).ToString("O") + "\"}", "validation" },
        { Valid.TrimEnd('}') + ",\"startsAt\": \"next tuesday\"}", "malformed-request" },
    };

    [Theory]
    [MemberData(nameof(BadFilings))]
    public async Task File_WithBadInput_IsAProblem_AndWritesNothing(string json, string code)
    {
        var before = await CountsAsync();
        using var client = portal.Client(Engineer);

        var response = await client.PostAsync("/api/v1/requests", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal($"https://lockboxportal.dev/problems/{code}", (await ProblemAsync(response)).GetProperty("type").GetString());
        Assert.Equal(before, await CountsAsync());
    }

    [Theory]
    [InlineData("{\"decision\": \"maybe\"}")]
    [InlineData("{\"decision\": 0}")]
    [InlineData("{\"comment\": \"no decision\"}")]
    [InlineData("{\"decision\": \"approve\", \"comment\": 42}")]
    [InlineData("{\"decision\": ")]
    public async Task Decision_WithBadInput_IsA400Problem_AndWritesNothing(string json)
    {
        var id = await portal.FileAsync(scope: $"Exchange:mailbox/{Guid.NewGuid():N}@contoso.com");
        var before = await CountsAsync();
        using var client = portal.Client(Manager);

        var response = await client.PostAsync($"/api/v1/requests/{id}/decision", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await ProblemAsync(response);
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task Decision_WithOversizedComment_IsAValidationProblem_AndWritesNothing()
    {
        var id = await portal.FileAsync(scope: $"Exchange:mailbox/{Guid.NewGuid():N}@contoso.com");
        var before = await CountsAsync();
        using var client = portal.Client(Manager);

        var response = await client.PostAsJsonAsync($"/api/v1/requests/{id}/decision", new { decision = "approve", comment = new string('c', 2001) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("https://lockboxportal.dev/problems/validation", (await ProblemAsync(response)).GetProperty("type").GetString());
        Assert.Equal(before, await CountsAsync());
    }

    [Theory]
    [InlineData("{\"tenant\": \"contoso\", \"engineer\": \"engineer@fabrikam.test\", \"scope\": \"Exchange:mailbox/a\", \"accessLevel\": \"root\"}", "malformed-request")]
    [InlineData("{\"tenant\": \"contoso\", \"engineer\": \"engineer@fabrikam.test\", \"scope\": \"no-colon\", \"accessLevel\": \"read\"}", "validation")]
    [InlineData("{\"tenant\": \"contoso\", \"scope\": \"Exchange:mailbox/a\", \"accessLevel\": \"read\"}", "validation")]
    [InlineData("{\"tenant\": \"contoso\", \"engineer\": \"engineer@fabrikam.test\", \"scope\": \"Exchange:mailbox/a\"}", "validation")]
    [InlineData("{", "malformed-request")]
    public async Task AccessCheck_WithBadInput_IsA400Problem(string json, string code)
    {
        using var client = portal.Client(ServiceClient);

        var response = await client.PostAsync("/api/v1/access-checks", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal($"https://lockboxportal.dev/problems/{code}", (await ProblemAsync(response)).GetProperty("type").GetString());
    }

    [Fact]
    public async Task Revoke_WithoutReason_IsAValidationProblem()
    {
        var id = await portal.ApprovedAsync(scope: $"Exchange:mailbox/{Guid.NewGuid():N}@contoso.com");
        using var client = portal.Client(ContosoOfficer);

        var response = await client.PostAsJsonAsync($"/api/v1/requests/{id}/revoke", new { });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("https://lockboxportal.dev/problems/validation", (await ProblemAsync(response)).GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("GET", "/api/v1/nothing-here")]
    [InlineData("GET", "/api/v1/requests/not-a-guid")]
    [InlineData("DELETE", "/api/v1/requests")]
    public async Task UnknownRoutes_AreProblems_NotThePortalsPages(string method, string path)
    {
        using var client = portal.Client(Engineer);
        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.True((int)response.StatusCode is 404 or 405, response.StatusCode.ToString());
        await ProblemAsync(response);
    }

    [Fact]
    public async Task UnknownStatusFilter_IsAValidationProblem()
    {
        using var client = portal.Client(Engineer);
        var response = await client.GetAsync("/api/v1/requests?status=sideways");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await ProblemAsync(response);
    }

    private async Task<(int Requests, int Decisions)> CountsAsync()
    {
        await using var db = portal.NewContext();
        return (await db.AccessRequests.CountAsync(), await db.RequestDecisions.CountAsync());
    }
}
