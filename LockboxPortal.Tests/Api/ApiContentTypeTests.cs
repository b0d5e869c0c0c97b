using System.Net;
using System.Text;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LockboxPortal.Tests.Infrastructure.ApiPortalFixture;

namespace LockboxPortal.Tests.Api;

/// <summary>A body that is not JSON in UTF-8 is refused with 415 and a problem before anything reads it; nothing is filed, never a 500.</summary>
public sealed class ApiContentTypeTests(ApiPortalFixture portal) : IClassFixture<ApiPortalFixture>
{
    private const string Body = """
        {"tenantId": "c0a70500-0000-4000-8000-000000000001", "scope": "Exchange:mailbox/ana@contoso.com",
         "accessLevel": "read", "reason": "maintenance", "justification": "Customer reports missing calendar items.", "durationMinutes": 60}
        """;

    [Theory]
    [InlineData("application/json; charset=bogus-charset")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/xml")]
    [InlineData("not a media type")]
    public async Task ABodyThatIsNotUtf8Json_Is415_WithAProblem_AndFilesNothing(string contentType)
    {
        var before = await CountAsync();
        using var client = portal.Client(Engineer);
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await client.PostAsync("/api/v1/requests", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal("https://lockboxportal.dev/problems/unsupported-media-type", problem.GetProperty("type").GetString());
        Assert.Equal(before, await CountAsync());
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON; charset=UTF-8")]
    public async Task Utf8Json_IsRead(string contentType)
    {
        using var client = portal.Client(Engineer);
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await client.PostAsync("/api/v1/requests", content);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private async Task<int> CountAsync()
    {
        await using var db = portal.NewContext();
        return await db.AccessRequests.CountAsync();
    }
}
