using LockboxPortal.Tests.Infrastructure;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Hosting;
using Microsoft.EntityFrameworkCore;
using static LockboxPortal.Tests.Infrastructure.ApiPortalFixture;

namespace LockboxPortal.Tests.Api;

/// <summary>
/// <c>POST /api/v1/requests/{id}/extensions</c>: more time on an active grant, decided through the same decision endpoint,
/// and a problem for each refusal that writes nothing; a second request for a held scope is a validation problem.
/// </summary>
public sealed class ApiExtensionTests(ApiPortalFixture portal) : IClassFixture<ApiPortalFixture>
{
    private const string Why = "The mailbox repair needs another pass.";

    private static string Scope() => $"Exchange:mailbox/{Guid.NewGuid():N}@contoso.com";

    [Fact]
    public async Task AnExtension_DecidedThroughTheApi_MovesTheGrantsEnd_AndTheAccessCheckReportsIt()
    {
        var scope = Scope();
        var id = await portal.ApprovedAsync(scope: scope);
        using var engineer = portal.Client(Engineer);
        var before = await engineer.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{id}");

        var filed = await engineer.PostAsJsonAsync($"/api/v1/requests/{id}/extensions", new { minutes = 90, justification = Why });

        Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
        var extension = await filed.Content.ReadFromJsonAsync<JsonElement>();
        var extensionId = extension.GetProperty("id").GetGuid();
        Assert.Equal(filed.Headers.Location!.ToString(), $"/api/v1/requests/{extensionId}");
        Assert.Equal(("pendingInternal", id, before.GetProperty("reference").GetString(), 90),
            (extension.GetProperty("status").GetString(), extension.GetProperty("extendsRequestId").GetGuid(),
             extension.GetProperty("extendsReference").GetString(), extension.GetProperty("requestedDurationMinutes").GetInt32()));

        await portal.DecideAsync(Manager, extensionId, "approve");
        var decided = await (await portal.DecideAsync(Approver1, extensionId, "approve")).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("extended", decided.GetProperty("status").GetString());
        var after = await engineer.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{id}");
        var newEnd = before.GetProperty("grantEndsAt").GetDateTimeOffset() + TimeSpan.FromMinutes(90);
        Assert.Equal(("approved", newEnd), (after.GetProperty("status").GetString(), after.GetProperty("grantEndsAt").GetDateTimeOffset()));
        var check = await portal.CheckAsync(scope: scope);
        Assert.Equal((true, newEnd), (check.GetProperty("allowed").GetBoolean(), check.GetProperty("grantEndsAt").GetDateTimeOffset()));
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { "{\"justification\": \"" + Why + "\"}", "Minutes" },
        { "{\"minutes\": 0, \"justification\": \"" + Why + "\"}", "Minutes" },
        { "{\"minutes\": 14, \"justification\": \"" + Why + "\"}", "Minutes" },
        { "{\"minutes\": 100000, \"justification\": \"" + Why + "\"}", "Minutes" },
        { "{\"minutes\": 60}", "Justification" },
        { "{\"minutes\": 60, \"justification\": \"   \"}", "Justification" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task MinutesOutOfRange_OrNoJustification_IsAValidationProblem_AndWritesNothing(string json, string field)
    {
        var id = await portal.ApprovedAsync(scope: Scope());
        var before = await ExtensionsOfAsync(id);
        using var engineer = portal.Client(Engineer);

        var response = await engineer.PostAsync($"/api/v1/requests/{id}/extensions", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal("https://lockboxportal.dev/problems/validation", problem.GetProperty("type").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(before, await ExtensionsOfAsync(id));
    }

    [Theory]
    [InlineData(Manager, HttpStatusCode.Forbidden, "forbidden")]
    [InlineData(Approver1, HttpStatusCode.Forbidden, "forbidden")]
    [InlineData(Engineer2, HttpStatusCode.NotFound, "not-found")]
    public async Task NotTheRequester_IsAProblem_AndWritesNothing(string who, HttpStatusCode status, string code)
    {
        var id = await portal.ApprovedAsync(scope: Scope());
        using var client = portal.Client(who);

        var response = await client.PostAsJsonAsync($"/api/v1/requests/{id}/extensions", new { minutes = 60, justification = Why });

        Assert.Equal(status, response.StatusCode);
        Assert.Equal($"https://lockboxportal.dev/problems/{code}", (await ProblemAsync(response)).GetProperty("type").GetString());
        Assert.Equal(0, await ExtensionsOfAsync(id));
    }

    [Fact]
    public async Task OnAGrantThatIsNotActive_ItIsA409Problem()
    {
        var id = await portal.PendingCustomerAsync(scope: Scope());
        using var engineer = portal.Client(Engineer);

        var response = await engineer.PostAsJsonAsync($"/api/v1/requests/{id}/extensions", new { minutes = 60, justification = Why });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("https://lockboxportal.dev/problems/grant-not-active", (await ProblemAsync(response)).GetProperty("type").GetString());
        Assert.Equal(0, await ExtensionsOfAsync(id));
    }

    [Fact]
    public async Task WhileOneIsPending_ASecondIsA409Problem()
    {
        var id = await portal.ApprovedAsync(scope: Scope());
        using var engineer = portal.Client(Engineer);
        Assert.Equal(HttpStatusCode.Created, (await engineer.PostAsJsonAsync($"/api/v1/requests/{id}/extensions", new { minutes = 60, justification = Why })).StatusCode);

        var response = await engineer.PostAsJsonAsync($"/api/v1/requests/{id}/extensions", new { minutes = 30, justification = Why });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("https://lockboxportal.dev/problems/extension-pending", (await ProblemAsync(response)).GetProperty("type").GetString());
        Assert.Equal(1, await ExtensionsOfAsync(id));
    }

    [Fact]
    public async Task FilingAgainForAHeldScope_IsAValidationProblemOnTheScope()
    {
        var scope = Scope();
        await portal.ApprovedAsync(scope: scope);
        using var engineer = portal.Client(Engineer);

        var response = await engineer.PostAsJsonAsync("/api/v1/requests", new
        {
            tenantId = DemoData.ContosoId, scope, accessLevel = "read", reason = "maintenance", justification = "Customer reports missing calendar items.",
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await ProblemAsync(response)).GetProperty("errors");
        Assert.Contains("ask for more time", errors.GetProperty("Scope")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(["Scope"], errors.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task ApprovingASecondGrantForAHeldScope_IsA409Problem_AndTheRequestStaysPending()
    {
        var scope = Scope();
        var first = await portal.PendingCustomerAsync(scope: scope);
        var second = await portal.PendingCustomerAsync(scope: scope);
        await portal.DecideAsync(Approver1, first, "approve");

        var response = await portal.DecideAsync(Approver1, second, "approve", ensure: false);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("https://lockboxportal.dev/problems/grant-held", (await ProblemAsync(response)).GetProperty("type").GetString());
        await using var db = portal.NewContext();
        Assert.Equal(RequestStatus.PendingCustomer, await db.AccessRequests.Where(r => r.Id == second).Select(r => r.Status).SingleAsync());
    }

    [Fact]
    public async Task TheOpenApiDocument_DescribesTheOperation_AndItsRefusals()
    {
        using var client = portal.Client(null);
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var operation = document.GetProperty("paths").GetProperty("/api/v1/requests/{id}/extensions").GetProperty("post");
        Assert.Equal("ExtendGrant", operation.GetProperty("operationId").GetString());
        var responses = operation.GetProperty("responses");
        foreach (var status in new[] { "201", "400", "403", "404", "409" })
        {
            Assert.True(responses.TryGetProperty(status, out _), $"{status} is missing");
        }

        foreach (var code in new[] { "grant-not-active", "extension-pending", "validation", "forbidden" })
        {
            Assert.Contains(code, operation.GetProperty("description").GetString(), StringComparison.Ordinal);
        }

        Assert.True(document.GetProperty("components").GetProperty("schemas").TryGetProperty("ExtensionBody", out _));
        var decision = document.GetProperty("paths").GetProperty("/api/v1/requests/{id}/decision").GetProperty("post");
        Assert.True(decision.GetProperty("responses").TryGetProperty("409", out _));
        Assert.Contains("grant-held", decision.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    private async Task<int> ExtensionsOfAsync(Guid id)
    {
        await using var db = portal.NewContext();
        return await db.AccessRequests.CountAsync(r => r.ExtendsRequestId == id);
    }
}
