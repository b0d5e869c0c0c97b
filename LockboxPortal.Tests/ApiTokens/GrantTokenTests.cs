using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LockboxPortal.Features.ApiTokens;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static LockboxPortal.Tests.Infrastructure.ApiPortalFixture;

namespace LockboxPortal.Tests.ApiTokens;

/// <summary>Grant tokens verified the way a data plane would: against the published JWKS, with Microsoft.IdentityModel.</summary>
public sealed class GrantTokenTests(ApiPortalFixture portal) : IClassFixture<ApiPortalFixture>
{
    private async Task<(Guid Id, string Scope, JsonElement Token)> GrantTokenAsync()
    {
        var scope = $"Exchange:mailbox/{Guid.NewGuid():N}@contoso.com";
        var id = await portal.ApprovedAsync(scope: scope);
        using var engineer = portal.Client(Engineer);
        return (id, scope, await engineer.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{id}/grant-token"));
    }

    private async Task<JsonWebKeySet> JwksAsync()
    {
        using var anonymous = portal.Client(null);
        return new JsonWebKeySet(await anonymous.GetStringAsync("/.well-known/jwks.json"));
    }

    public static TokenValidationParameters Parameters(JsonWebKeySet jwks) => new()
    {
        ValidIssuer = GrantTokenService.Issuer,
        ValidAudience = GrantTokenService.Audience,
        IssuerSigningKeys = jwks.GetSigningKeys(),
        ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        ClockSkew = TimeSpan.Zero,
    };

    [Fact]
    public async Task GrantToken_ValidatesAgainstJwks_AndNamesTheGrant()
    {
        var (id, scope, body) = await GrantTokenAsync();

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(body.GetProperty("token").GetString(), Parameters(await JwksAsync()));

        Assert.True(result.IsValid, result.Exception?.ToString());
        Assert.Equal(id.ToString(), result.Claims["request_id"]);
        Assert.Equal(DemoData.ContosoId.ToString(), result.Claims["tenant"]);
        Assert.Equal(scope, result.Claims["scope"]);
        Assert.Equal("Read", result.Claims["access_level"]);
        var token = (JsonWebToken)result.SecurityToken;
        Assert.Equal("ES256", token.Alg);
        Assert.True(token.ValidTo - token.IssuedAt <= TimeSpan.FromMinutes(5));
        Assert.Equal(body.GetProperty("keyId").GetString(), token.Kid);
    }

    [Fact]
    public async Task GrantToken_SignedByAnotherKey_IsRefused()
    {
        var (_, _, body) = await GrantTokenAsync();
        var genuine = new JsonWebToken(body.GetProperty("token").GetString());
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = new JsonWebTokenHandler().CreateToken(
            Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(genuine.EncodedPayload)),
            new SigningCredentials(new ECDsaSecurityKey(other) { KeyId = genuine.Kid }, SecurityAlgorithms.EcdsaSha256));

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(forged, Parameters(await JwksAsync()));

        Assert.False(result.IsValid);
        Assert.IsAssignableFrom<SecurityTokenInvalidSignatureException>(result.Exception);
    }

    [Fact]
    public async Task GrantToken_Altered_IsRefused()
    {
        var (_, scope, body) = await GrantTokenAsync();
        var parts = body.GetProperty("token").GetString()!.Split('.');
        var payload = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!;
        payload["scope"] = "Exchange:mailbox";
        payload["access_level"] = "ReadWrite";
        var altered = string.Join('.', parts[0], Base64UrlEncoder.Encode(payload.ToJsonString()), parts[2]);

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(altered, Parameters(await JwksAsync()));

        Assert.False(result.IsValid);
        Assert.NotEqual("Exchange:mailbox", scope);
    }

    [Fact]
    public async Task Rotation_PublishesBothKeys_SoEarlierTokensStillVerify()
    {
        var (_, _, before) = await GrantTokenAsync();
        await using (var scope = portal.Factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<GrantTokenService>().RotateAsync(ApiTokenService.Console);
        }

        var (_, _, after) = await GrantTokenAsync();
        var jwks = await JwksAsync();

        Assert.NotEqual(before.GetProperty("keyId").GetString(), after.GetProperty("keyId").GetString());
        Assert.Contains(jwks.Keys, k => k.Kid == before.GetProperty("keyId").GetString());
        Assert.Contains(jwks.Keys, k => k.Kid == after.GetProperty("keyId").GetString());
        Assert.True((await new JsonWebTokenHandler().ValidateTokenAsync(before.GetProperty("token").GetString(), Parameters(jwks))).IsValid);
        Assert.True((await new JsonWebTokenHandler().ValidateTokenAsync(after.GetProperty("token").GetString(), Parameters(jwks))).IsValid);
    }
}

/// <summary>Grant tokens from apps of their own: a restart, and a clock set back so a token is already expired.</summary>
public sealed class GrantSigningKeyPersistenceTests
{
    private static async Task<(WebApplicationFactory<Program> Factory, HttpClient Engineer, Guid Id, JsonElement Approved)> ApprovedOnAClockAsync(TempFolder folder, TimeProvider clock)
    {
        var factory = new PortalFactory(folder.File("lockbox.db")).WithWebHostBuilder(b =>
            b.ConfigureServices(services => services.AddSingleton(clock)));
        await using var scope = factory.Services.CreateAsyncScope();
        var tokens = scope.ServiceProvider.GetRequiredService<ApiTokenService>();
        HttpClient As(string token)
        {
            var client = factory.CreateClient();
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
            return client;
        }

        var engineer = As((await tokens.CreatePersonalFromConsoleAsync(Engineer, "t", 7)).Token);
        using var manager = As((await tokens.CreatePersonalFromConsoleAsync(Manager, "t", 7)).Token);
        // Northwind, whose demo policy does not require two-factor, so a personal token (no second factor) decides.
        using var approver = As((await tokens.CreatePersonalFromConsoleAsync(NorthwindApprover, "t", 7)).Token);
        var filed = await engineer.PostAsJsonAsync("/api/v1/requests", new
        {
            tenantId = DemoData.NorthwindId, scope = "Sql:database/customers", accessLevel = "read", reason = "maintenance", justification = "Customer reports missing items.", durationMinutes = 30,
        });
        var id = (await filed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        (await manager.PostAsJsonAsync($"/api/v1/requests/{id}/decision", new { decision = "approve" })).EnsureSuccessStatusCode();
        var approved = await (await approver.PostAsJsonAsync($"/api/v1/requests/{id}/decision", new { decision = "approve" })).Content.ReadFromJsonAsync<JsonElement>();
        return (factory, engineer, id, approved);
    }

    [Fact]
    public async Task GrantToken_Expired_IsRefused()
    {
        // The portal's clock runs ten minutes behind, so the token it issues (at most 5 minutes) expired already.
        using var folder = new TempFolder();
        var (factory, engineer, id, _) = await ApprovedOnAClockAsync(folder, new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-10)));
        await using var _ = factory;
        using var __ = engineer;
        var body = await engineer.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{id}/grant-token");
        var jwks = new JsonWebKeySet(await factory.CreateClient().GetStringAsync("/.well-known/jwks.json"));

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(body.GetProperty("token").GetString(), GrantTokenTests.Parameters(jwks));

        Assert.False(result.IsValid);
        Assert.IsType<SecurityTokenExpiredException>(result.Exception);
    }

    [Fact]
    public async Task GrantToken_NeverOutlivesTheGrant_AndIsRefusedOnceItEnded()
    {
        using var folder = new TempFolder();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (factory, engineer, id, approved) = await ApprovedOnAClockAsync(folder, clock);
        await using var _ = factory;
        using var __ = engineer;
        var grantEndsAt = approved.GetProperty("grantEndsAt").GetDateTimeOffset();

        clock.SetUtcNow(grantEndsAt.AddMinutes(-2));
        var late = await engineer.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{id}/grant-token");
        Assert.Equal(grantEndsAt, late.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal(grantEndsAt, new JsonWebToken(late.GetProperty("token").GetString()).ValidTo, TimeSpan.FromSeconds(1));

        clock.SetUtcNow(grantEndsAt);
        var ended = await engineer.GetAsync($"/api/v1/requests/{id}/grant-token");
        Assert.Equal(System.Net.HttpStatusCode.Conflict, ended.StatusCode);
    }

    [Fact]
    public async Task SigningKey_SurvivesARestart()
    {
        using var folder = new TempFolder();
        string first;
        await using (var app = new PortalFactory(folder.File("lockbox.db")))
        {
            first = await app.CreateClient().GetStringAsync("/.well-known/jwks.json");
        }

        await using var restarted = new PortalFactory(folder.File("lockbox.db"));
        var second = await restarted.CreateClient().GetStringAsync("/.well-known/jwks.json");

        Assert.Single(new JsonWebKeySet(first).Keys);
        Assert.Equal(new JsonWebKeySet(first).Keys[0].Kid, new JsonWebKeySet(second).Keys[0].Kid);
    }
}
