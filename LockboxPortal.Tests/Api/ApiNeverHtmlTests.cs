using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.ApiTokens;
using LockboxPortal.Features.Grants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Api;

/// <summary>Finding 7: in Production, /api answers problem details for a failure inside an endpoint and for bare status codes, never the HTML error page.</summary>
public sealed class ApiNeverHtmlTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task InProduction_AFailureInsideAnEndpoint_IsAProblem_NotTheErrorPage()
    {
        await using var factory = new PortalFactory(_folder.File("lockbox.db"), "Production")
            .WithServices(services => services.AddSingleton<IAccessCandidateSource, FailingCandidates>());
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            // A tenant and an engineer to ask about, so the check reaches the (failing) candidate source.
            await using var db = scope.ServiceProvider.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<LockboxPortal.Data.LockboxDbContext>>().CreateDbContext();
            db.Tenants.Add(new LockboxPortal.Features.Tenants.Tenant(Guid.NewGuid(), "Contoso", "contoso", DateTimeOffset.UtcNow));
            db.Users.Add(new LockboxPortal.Features.Tenants.PortalUser { Id = "engineer-1", UserName = "engineer@fabrikam.test", DisplayName = "Erin Engineer" });
            await db.SaveChangesAsync();
            var token = (await scope.ServiceProvider.GetRequiredService<ApiTokenService>().CreateServiceClientFromConsoleAsync("data plane")).Token;
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await client.PostAsJsonAsync("/api/v1/access-checks", new
        {
            tenant = "contoso", engineer = "engineer-1", scope = "Exchange:mailbox/ana@contoso.com", accessLevel = "read",
        });

        var body = await AssertProblemAsync(response, HttpStatusCode.InternalServerError, "internal");
        Assert.DoesNotContain("database is on fire", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/api/v1/nothing-here", HttpStatusCode.NotFound, "not-found")]
    [InlineData("POST", "/api/v1/requests/not-a-guid/cancel", HttpStatusCode.NotFound, "not-found")]
    [InlineData("GET", "/api/v1/requests", HttpStatusCode.Unauthorized, "unauthenticated")]
    public async Task InProduction_StatusCodes_AreProblems_NotHtml(string method, string path, HttpStatusCode status, string code)
    {
        await using var factory = new PortalFactory(_folder.File("lockbox.db"), "Production");
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await AssertProblemAsync(response, status, code);
    }

    private static async Task<string> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("<html", body, StringComparison.OrdinalIgnoreCase);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal("https://lockboxportal.dev/problems/" + code, problem.RootElement.GetProperty("type").GetString());
        return body;
    }

    private sealed class FailingCandidates : IAccessCandidateSource
    {
        public Task<IReadOnlyList<AccessRequest>> FindAsync(Guid tenantId, string engineerId, DateTimeOffset now, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The database is on fire.");
    }
}
