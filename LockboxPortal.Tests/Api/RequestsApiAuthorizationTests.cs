using LockboxPortal.Tests.Infrastructure;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LockboxPortal.Hosting;
using static LockboxPortal.Tests.Infrastructure.ApiPortalFixture;

namespace LockboxPortal.Tests.Api;

/// <summary>Each endpoint for each role it allows and each it refuses; another tenant's request answers 404.</summary>
public sealed class RequestsApiAuthorizationTests(ApiPortalFixture portal) : IClassFixture<ApiPortalFixture>
{
    private static string Scope() => $"Exchange:mailbox/{Guid.NewGuid():N}@contoso.com";

    [Fact]
    public async Task File_AsEngineer_Is201WithTheRequest()
    {
        using var client = portal.Client(Engineer);
        var response = await client.PostAsJsonAsync("/api/v1/requests", new
        {
            tenantId = DemoData.ContosoId, scope = Scope(), accessLevel = "readWrite", reason = "maintenance", justification = "Mailbox rules forward mail away.", durationMinutes = 30,
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("pendingInternal", body.GetProperty("status").GetString());
        Assert.Equal("readWrite", body.GetProperty("accessLevel").GetString());
        Assert.Equal(response.Headers.Location!.ToString(), $"/api/v1/requests/{body.GetProperty("id").GetGuid()}");
    }

    [Theory]
    [InlineData(Manager)]
    [InlineData(ProviderAdmin)]
    [InlineData(Approver1)]
    [InlineData(ContosoOfficer)]
    [InlineData(NorthwindApprover)]
    public async Task File_WithoutEngineerRole_Is403(string who)
    {
        using var client = portal.Client(who);
        var response = await client.PostAsJsonAsync("/api/v1/requests", new
        {
            tenantId = DemoData.ContosoId, scope = Scope(), accessLevel = "read", reason = "maintenance", justification = "Mailbox rules forward mail away.",
        });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("https://lockboxportal.dev/problems/forbidden", (await ProblemAsync(response)).GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("GET", "/api/v1/requests")]
    [InlineData("POST", "/api/v1/requests")]
    [InlineData("POST", "/api/v1/access-checks")]
    public async Task NoToken_Is401Problem(string method, string path)
    {
        using var client = portal.Client(null);
        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("https://lockboxportal.dev/problems/unauthenticated", (await ProblemAsync(response)).GetProperty("type").GetString());
    }

    [Fact]
    public async Task UnknownOrRevokedToken_Is401()
    {
        using var client = portal.Client(null);
        client.DefaultRequestHeaders.Authorization = new("Bearer", "lbxp_not-a-real-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/requests")).StatusCode);
    }

    [Theory]
    [InlineData(ServiceClient, "/api/v1/requests")]
    public async Task ServiceClientToken_CannotUseRequestEndpoints(string who, string path)
    {
        using var client = portal.Client(who);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(path)).StatusCode);
        var file = await client.PostAsJsonAsync(path, new { tenantId = DemoData.ContosoId, scope = Scope(), accessLevel = "read", reason = "maintenance", justification = "Mailbox rules forward mail away." });
        Assert.Equal(HttpStatusCode.Forbidden, file.StatusCode);
    }

    [Theory]
    [InlineData(Engineer, HttpStatusCode.OK)]
    [InlineData(Manager, HttpStatusCode.OK)]
    [InlineData(Approver1, HttpStatusCode.OK)]
    [InlineData(ContosoOfficer, HttpStatusCode.OK)]
    [InlineData(Engineer2, HttpStatusCode.NotFound)]
    [InlineData(ProviderAdmin, HttpStatusCode.NotFound)]
    [InlineData(NorthwindApprover, HttpStatusCode.NotFound)]
    [InlineData(NorthwindOfficer, HttpStatusCode.NotFound)]
    public async Task Get_ByRole(string who, HttpStatusCode expected)
    {
        var id = await portal.FileAsync(scope: Scope());
        using var client = portal.Client(who);

        var response = await client.GetAsync($"/api/v1/requests/{id}");

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Get_AnotherTenantsRequest_AnswersExactlyAsOneThatDoesNotExist()
    {
        var id = await portal.FileAsync(scope: Scope());
        using var client = portal.Client(NorthwindOfficer);

        var hidden = await client.GetAsync($"/api/v1/requests/{id}");
        var missing = await client.GetAsync($"/api/v1/requests/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var (a, b) = (await ProblemAsync(hidden), await ProblemAsync(missing));
        Assert.Equal(b.GetProperty("type").GetString(), a.GetProperty("type").GetString());
        Assert.Equal(b.GetProperty("detail").GetString(), a.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task List_ShowsEachCallerOnlyWhatTheyMaySee()
    {
        var contoso = await portal.FileAsync(scope: Scope());
        var northwind = await portal.FileAsync(DemoData.NorthwindId, "Sql:database/invoices");

        async Task<List<Guid>> ListAsync(string who, string query = "")
        {
            using var client = portal.Client(who);
            var page = await client.GetFromJsonAsync<JsonElement>($"/api/v1/requests?take=100{query}");
            return page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToList();
        }

        var northwindSees = await ListAsync(NorthwindApprover);
        Assert.Contains(northwind, northwindSees);
        Assert.DoesNotContain(contoso, northwindSees);
        Assert.DoesNotContain(contoso, await ListAsync(NorthwindOfficer));
        Assert.DoesNotContain(northwind, await ListAsync(ContosoOfficer));
        Assert.Contains(contoso, await ListAsync(Approver1));
        Assert.Empty(await ListAsync(ProviderAdmin));
        Assert.DoesNotContain(contoso, await ListAsync(Engineer2));
        Assert.Contains(contoso, await ListAsync(Engineer));
        Assert.Contains(contoso, await ListAsync(Manager));
        Assert.DoesNotContain(contoso, await ListAsync(Engineer, "&status=approved"));
        Assert.Contains(contoso, await ListAsync(Engineer, $"&status=pendingInternal&tenant={DemoData.ContosoId}"));
        Assert.DoesNotContain(contoso, await ListAsync(Engineer, $"&tenant={DemoData.NorthwindId}"));
        Assert.DoesNotContain(contoso, await ListAsync(Engineer, $"&createdAfter={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"))}"));
    }

    [Fact]
    public async Task List_Pages()
    {
        await portal.FileAsync(scope: Scope());
        await portal.FileAsync(scope: Scope());
        using var client = portal.Client(Engineer);

        var first = await client.GetFromJsonAsync<JsonElement>("/api/v1/requests?take=1");
        var second = await client.GetFromJsonAsync<JsonElement>("/api/v1/requests?take=1&skip=1");

        Assert.Single(first.GetProperty("items").EnumerateArray());
        Assert.True(first.GetProperty("total").GetInt32() >= 2);
        Assert.NotEqual(first.GetProperty("items")[0].GetProperty("id").GetGuid(), second.GetProperty("items")[0].GetProperty("id").GetGuid());
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/requests?take=1000")).StatusCode);
    }

    [Theory]
    [InlineData(Manager, HttpStatusCode.OK)]
    [InlineData(Engineer, HttpStatusCode.Forbidden)]
    [InlineData(Approver1, HttpStatusCode.Forbidden)]
    [InlineData(ContosoOfficer, HttpStatusCode.Forbidden)]
    [InlineData(Engineer2, HttpStatusCode.NotFound)]
    [InlineData(ProviderAdmin, HttpStatusCode.NotFound)]
    [InlineData(NorthwindApprover, HttpStatusCode.NotFound)]
    public async Task Decision_InternalStage_ByRole(string who, HttpStatusCode expected)
    {
        var id = await portal.FileAsync(scope: Scope());
        var response = await portal.DecideAsync(who, id, "approve", ensure: false);
        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData(Approver1, HttpStatusCode.OK)]
    [InlineData(Approver2, HttpStatusCode.OK)]
    [InlineData(Engineer, HttpStatusCode.Forbidden)]
    [InlineData(ContosoOfficer, HttpStatusCode.Forbidden)]

    // The manager's stage is behind this request: rule 6's "already decided", not "not allowed" (issue 20, finding 8).
    [InlineData(Manager, HttpStatusCode.Conflict)]
    [InlineData(Engineer2, HttpStatusCode.NotFound)]
    [InlineData(NorthwindApprover, HttpStatusCode.NotFound)]
    [InlineData(NorthwindOfficer, HttpStatusCode.NotFound)]
    public async Task Decision_CustomerStage_ByRole(string who, HttpStatusCode expected)
    {
        var id = await portal.PendingCustomerAsync(scope: Scope());
        var response = await portal.DecideAsync(who, id, "reject", ensure: false);
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Decision_Twice_IsAlreadyDecided409()
    {
        var id = await portal.ApprovedAsync(scope: Scope());

        var approver = await portal.DecideAsync(Approver2, id, "approve", ensure: false);
        var manager = await portal.DecideAsync(Manager, id, "reject", ensure: false);

        Assert.Equal(HttpStatusCode.Conflict, approver.StatusCode);
        Assert.Equal("https://lockboxportal.dev/problems/already-decided", (await ProblemAsync(approver)).GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.Conflict, manager.StatusCode);
        Assert.Equal("https://lockboxportal.dev/problems/already-decided", (await ProblemAsync(manager)).GetProperty("type").GetString());
    }

    [Theory]
    [InlineData(Engineer, HttpStatusCode.OK)]
    [InlineData(Manager, HttpStatusCode.Forbidden)]
    [InlineData(Approver1, HttpStatusCode.Forbidden)]
    [InlineData(Engineer2, HttpStatusCode.NotFound)]
    [InlineData(NorthwindOfficer, HttpStatusCode.NotFound)]
    public async Task Cancel_ByRole(string who, HttpStatusCode expected)
    {
        var id = await portal.FileAsync(scope: Scope());
        using var client = portal.Client(who);
        Assert.Equal(expected, (await client.PostAsync($"/api/v1/requests/{id}/cancel", null)).StatusCode);
    }

    [Theory]
    [InlineData(Approver1, HttpStatusCode.OK)]
    [InlineData(ContosoOfficer, HttpStatusCode.OK)]
    [InlineData(Engineer, HttpStatusCode.Forbidden)]
    [InlineData(Manager, HttpStatusCode.Forbidden)]
    [InlineData(Engineer2, HttpStatusCode.NotFound)]
    [InlineData(NorthwindApprover, HttpStatusCode.NotFound)]
    [InlineData(NorthwindOfficer, HttpStatusCode.NotFound)]
    public async Task Revoke_ByRole(string who, HttpStatusCode expected)
    {
        var id = await portal.ApprovedAsync(scope: Scope());
        using var client = portal.Client(who);
        Assert.Equal(expected, (await client.PostAsJsonAsync($"/api/v1/requests/{id}/revoke", new { reason = "Work is finished." })).StatusCode);
    }

    [Theory]
    [InlineData(Engineer, HttpStatusCode.OK)]
    [InlineData(Manager, HttpStatusCode.Forbidden)]
    [InlineData(Approver1, HttpStatusCode.Forbidden)]
    [InlineData(ContosoOfficer, HttpStatusCode.Forbidden)]
    [InlineData(Engineer2, HttpStatusCode.NotFound)]
    [InlineData(NorthwindOfficer, HttpStatusCode.NotFound)]
    public async Task Release_ByRole(string who, HttpStatusCode expected)
    {
        var id = await portal.ApprovedAsync(scope: Scope());
        using var client = portal.Client(who);
        Assert.Equal(expected, (await client.PostAsync($"/api/v1/requests/{id}/release", null)).StatusCode);
    }

    [Theory]
    [InlineData(Engineer, HttpStatusCode.Created)]
    [InlineData(Manager, HttpStatusCode.Forbidden)]
    [InlineData(Approver1, HttpStatusCode.Forbidden)]
    [InlineData(ContosoOfficer, HttpStatusCode.Forbidden)]
    [InlineData(Engineer2, HttpStatusCode.NotFound)]
    [InlineData(ProviderAdmin, HttpStatusCode.NotFound)]
    [InlineData(NorthwindOfficer, HttpStatusCode.NotFound)]
    public async Task Extend_ByRole(string who, HttpStatusCode expected)
    {
        var id = await portal.ApprovedAsync(scope: Scope());
        using var client = portal.Client(who);
        var response = await client.PostAsJsonAsync($"/api/v1/requests/{id}/extensions", new { minutes = 60, justification = "The migration needs another hour." });
        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData(Engineer, HttpStatusCode.OK)]
    [InlineData(Manager, HttpStatusCode.Forbidden)]
    [InlineData(Approver1, HttpStatusCode.Forbidden)]
    [InlineData(ContosoOfficer, HttpStatusCode.Forbidden)]
    [InlineData(Engineer2, HttpStatusCode.NotFound)]
    [InlineData(ProviderAdmin, HttpStatusCode.NotFound)]
    [InlineData(NorthwindApprover, HttpStatusCode.NotFound)]
    public async Task GrantToken_ByRole(string who, HttpStatusCode expected)
    {
        var id = await portal.ApprovedAsync(scope: Scope());
        using var client = portal.Client(who);
        Assert.Equal(expected, (await client.GetAsync($"/api/v1/requests/{id}/grant-token")).StatusCode);
    }

    [Fact]
    public async Task GrantToken_WithoutActiveGrant_Is409()
    {
        var id = await portal.PendingCustomerAsync(scope: Scope());
        using var client = portal.Client(Engineer);

        var response = await client.GetAsync($"/api/v1/requests/{id}/grant-token");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("https://lockboxportal.dev/problems/grant-not-active", (await ProblemAsync(response)).GetProperty("type").GetString());
    }

    /// <summary>Whoever may decide the stage the request is at asks; at the other stage they are refused.</summary>
    [Theory]
    [InlineData(false, Manager, HttpStatusCode.Created)]
    [InlineData(false, Approver1, HttpStatusCode.Forbidden)]
    [InlineData(false, Engineer, HttpStatusCode.Forbidden)]
    [InlineData(false, ContosoOfficer, HttpStatusCode.Forbidden)]
    [InlineData(false, Engineer2, HttpStatusCode.NotFound)]
    [InlineData(false, NorthwindApprover, HttpStatusCode.NotFound)]
    [InlineData(true, Approver1, HttpStatusCode.Created)]
    [InlineData(true, Approver2, HttpStatusCode.Created)]
    [InlineData(true, Manager, HttpStatusCode.Forbidden)]
    [InlineData(true, Engineer, HttpStatusCode.Forbidden)]
    [InlineData(true, ContosoOfficer, HttpStatusCode.Forbidden)]
    [InlineData(true, NorthwindApprover, HttpStatusCode.NotFound)]
    [InlineData(true, NorthwindOfficer, HttpStatusCode.NotFound)]
    public async Task Ask_ByRole_AtTheInternalOrCustomerStage(bool atCustomerStage, string who, HttpStatusCode expected)
    {
        var id = atCustomerStage ? await portal.PendingCustomerAsync(scope: Scope()) : await portal.FileAsync(scope: Scope());
        Assert.Equal(expected, (await AskAsync(who, id)).StatusCode);
    }

    [Theory]
    [InlineData(Engineer, HttpStatusCode.OK)]
    [InlineData(Manager, HttpStatusCode.Forbidden)]
    [InlineData(Approver1, HttpStatusCode.Forbidden)]
    [InlineData(ContosoOfficer, HttpStatusCode.Forbidden)]
    [InlineData(Engineer2, HttpStatusCode.NotFound)]
    [InlineData(NorthwindApprover, HttpStatusCode.NotFound)]
    public async Task Answer_ByRole(string who, HttpStatusCode expected)
    {
        var id = await portal.PendingCustomerAsync(scope: Scope());
        var asked = await AskAsync(Approver1, id);
        var questionId = (await asked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var client = portal.Client(who);
        var response = await client.PostAsJsonAsync($"/api/v1/requests/{id}/questions/{questionId}/answer", new { text = "Inbox and Calendar." });
        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData(ServiceClient, HttpStatusCode.OK)]
    [InlineData(Engineer, HttpStatusCode.Forbidden)]
    [InlineData(Manager, HttpStatusCode.Forbidden)]
    [InlineData(ProviderAdmin, HttpStatusCode.Forbidden)]
    [InlineData(ContosoOfficer, HttpStatusCode.Forbidden)]
    public async Task AccessCheck_OnlyServiceClients(string who, HttpStatusCode expected)
    {
        using var client = portal.Client(who);
        var response = await client.PostAsJsonAsync("/api/v1/access-checks", new { tenant = "contoso", engineer = Engineer, scope = Scope(), accessLevel = "read" });
        Assert.Equal(expected, response.StatusCode);
    }

    private async Task<HttpResponseMessage> AskAsync(string who, Guid id)
    {
        using var client = portal.Client(who);
        return await client.PostAsJsonAsync($"/api/v1/requests/{id}/questions", new { text = "Which folders?" });
    }
}
