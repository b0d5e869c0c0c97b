using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LockboxPortal.Tests.Infrastructure;

/// <summary>A person in one of the test directories, as the directory would describe them in a token.</summary>
public sealed class DirectoryPerson(Guid directoryId, string name, string email, string? objectId = null)
{
    public Guid DirectoryId { get; set; } = directoryId;

    public string ObjectId { get; } = objectId ?? Guid.NewGuid().ToString();

    public string Name { get; set; } = name;

    public string Email { get; set; } = email;

    /// <summary>The app roles assigned to the person in their directory.</summary>
    public List<string> Roles { get; } = [];

    /// <summary>How the directory authenticated them last (<c>amr</c>).</summary>
    public string[] Methods { get; set; } = ["pwd"];

    /// <summary>How the directory authenticates them when asked to do it again (prompt=login, max_age=0).</summary>
    public string[] MethodsWhenAskedAgain { get; set; } = ["pwd", "mfa"];

    /// <summary>When the directory last authenticated them (<c>auth_time</c>); a sign-in reuses it until asked again.</summary>
    public DateTimeOffset AuthenticatedAt { get; set; }
}

/// <summary>
/// A real OpenID Connect provider on a loopback port, shaped like Microsoft Entra ID's multi-tenant endpoints:
/// discovery at <c>/organizations/v2.0/.well-known/openid-configuration</c> with the issuer
/// <c>{instance}{tenantid}/v2.0</c>, a JWKS, an authorize endpoint (authorization code with PKCE, form_post) and a
/// token endpoint that checks the client secret and the code verifier and returns RS256 id tokens whose issuer
/// names the person's own directory. The person "already signed in at the directory" is <see cref="SignedIn"/>,
/// so the authorize endpoint answers at once, like single sign-on; asked to authenticate again it updates
/// <c>auth_time</c> and <c>amr</c>.
/// </summary>
public sealed class TestDirectory : IAsyncDisposable
{
    public const string ClientId = "5d3c1a0e-7b9f-4c2e-9a41-0f6b2d8e7c15";
    public const string ClientSecret = "test-directory-client-secret";

    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "test-directory-key" };
    private readonly ConcurrentDictionary<string, PendingCode> _codes = new();
    private readonly ConcurrentQueue<IReadOnlyDictionary<string, string>> _authorizeRequests = new();
    private readonly TimeProvider _time;
    private readonly WebApplication _app;

    public TestDirectory(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapGet("/{tenant}/v2.0/.well-known/openid-configuration", Discovery);
        _app.MapGet("/{tenant}/discovery/v2.0/keys", () => Results.Json(new { keys = new[] { Jwk() } }));
        _app.MapGet("/{tenant}/oauth2/v2.0/authorize", Authorize);
        _app.MapPost("/{tenant}/oauth2/v2.0/token", TokenAsync);
        _app.StartAsync().GetAwaiter().GetResult();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = address.TrimEnd('/');
    }

    public string BaseUrl { get; }

    /// <summary>The <c>AzureAd:Instance</c> setting that points the portal here.</summary>
    public string Instance => BaseUrl + "/";

    /// <summary>Who the browser is signed in as at the directory.</summary>
    public DirectoryPerson? SignedIn { get; set; }

    /// <summary>The query of every authorize request, in order.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> AuthorizeRequests => [.. _authorizeRequests];

    /// <summary>The portal's settings for a multi-tenant app registration in this directory service.</summary>
    public IReadOnlyDictionary<string, string?> PortalSettings(Guid providerDirectory) => new Dictionary<string, string?>
    {
        ["AzureAd:Instance"] = Instance,
        ["AzureAd:TenantId"] = "organizations",
        ["AzureAd:ClientId"] = ClientId,
        ["AzureAd:ClientSecret"] = ClientSecret,
        ["AzureAd:ProviderTenantId"] = providerDirectory.ToString(),
        // Only here: the test directory speaks plain HTTP on loopback.
        ["AzureAd:RequireHttpsMetadata"] = "false",
    };

    public DirectoryPerson NewPerson(Guid directoryId, string name, string email, params string[] roles)
    {
        var person = new DirectoryPerson(directoryId, name, email) { AuthenticatedAt = _time.GetUtcNow() };
        person.Roles.AddRange(roles);
        return person;
    }

    private IResult Discovery(string tenant) => Results.Json(new Dictionary<string, object>
    {
        ["issuer"] = $"{BaseUrl}/{{tenantid}}/v2.0",
        ["authorization_endpoint"] = $"{BaseUrl}/{tenant}/oauth2/v2.0/authorize",
        ["token_endpoint"] = $"{BaseUrl}/{tenant}/oauth2/v2.0/token",
        ["jwks_uri"] = $"{BaseUrl}/{tenant}/discovery/v2.0/keys",
        ["response_types_supported"] = new[] { "code", "id_token", "code id_token" },
        ["response_modes_supported"] = new[] { "query", "fragment", "form_post" },
        ["subject_types_supported"] = new[] { "pairwise" },
        ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        ["scopes_supported"] = new[] { "openid", "profile", "email", "offline_access" },
        ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_post", "client_secret_basic" },
        ["code_challenge_methods_supported"] = new[] { "S256" },
        ["claims_supported"] = new[] { "sub", "iss", "aud", "exp", "iat", "auth_time", "amr", "nonce", "name", "email", "preferred_username", "oid", "tid", "roles" },
    });

    private object Jwk()
    {
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_key.Rsa.ExportParameters(false)) { KeyId = _key.KeyId });
        return new { kty = jwk.Kty, use = "sig", kid = jwk.Kid, alg = "RS256", n = jwk.N, e = jwk.E };
    }

    private IResult Authorize(HttpRequest request)
    {
        var query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString());
        _authorizeRequests.Enqueue(query);
        string Get(string name) => query.GetValueOrDefault(name, "");

        if (Get("client_id") != ClientId || Get("response_type") != "code" || Get("code_challenge_method") != "S256" || Get("code_challenge") == ""
            || !Get("scope").Split(' ').Contains("openid"))
        {
            return Results.BadRequest("invalid_request");
        }

        if (SignedIn is not { } person)
        {
            return Results.Content("<p>Nobody is signed in at the test directory.</p>", "text/html");
        }

        if (Get("prompt") == "login" || Get("max_age") == "0")
        {
            person.AuthenticatedAt = _time.GetUtcNow();
            person.Methods = person.MethodsWhenAskedAgain;
        }

        var code = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        _codes[code] = new PendingCode(Snapshot(person), Get("redirect_uri"), Get("code_challenge"), Get("nonce"), _time.GetUtcNow());

        var fields = new Dictionary<string, string> { ["code"] = code, ["state"] = Get("state") };
        if (Get("response_mode") == "form_post")
        {
            var inputs = string.Concat(fields.Select(f => $"<input type=\"hidden\" name=\"{WebUtility.HtmlEncode(f.Key)}\" value=\"{WebUtility.HtmlEncode(f.Value)}\">"));
            return Results.Content(
                $"<!doctype html><html><body onload=\"document.forms[0].submit()\"><form method=\"post\" action=\"{WebUtility.HtmlEncode(Get("redirect_uri"))}\">{inputs}</form></body></html>",
                "text/html");
        }

        return Results.Redirect($"{Get("redirect_uri")}?{string.Join('&', fields.Select(f => $"{f.Key}={Uri.EscapeDataString(f.Value)}"))}");
    }

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        var (clientId, secret) = ClientOf(request, form);
        if (clientId != ClientId || secret != ClientSecret)
        {
            return Results.Json(new { error = "invalid_client" }, statusCode: 401);
        }

        if (form["grant_type"] != "authorization_code" || !_codes.TryRemove(form["code"].ToString(), out var pending)
            || pending.RedirectUri != form["redirect_uri"] || _time.GetUtcNow() - pending.IssuedAt > TimeSpan.FromMinutes(5)
            || Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"].ToString()))) != pending.CodeChallenge)
        {
            return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
        }

        var accessToken = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        return Results.Json(new
        {
            token_type = "Bearer",
            expires_in = 3600,
            access_token = accessToken,
            id_token = IdToken(pending, accessToken),
            scope = "openid profile email",
        });
    }

    private string IdToken(PendingCode pending, string accessToken)
    {
        var person = pending.Person;
        var now = _time.GetUtcNow();
        var atHash = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken))[..16]);
        var claims = new Dictionary<string, object>
        {
            ["sub"] = person.ObjectId,
            ["oid"] = person.ObjectId,
            ["tid"] = person.DirectoryId.ToString(),
            ["name"] = person.Name,
            ["preferred_username"] = person.Email,
            ["email"] = person.Email,
            ["nonce"] = pending.Nonce,
            ["auth_time"] = person.AuthenticatedAt.ToUnixTimeSeconds(),
            ["amr"] = person.Methods.ToList(),
            ["at_hash"] = atHash,
            ["ver"] = "2.0",
        };
        if (person.Roles.Count > 0)
        {
            claims["roles"] = person.Roles.ToList();
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = $"{BaseUrl}/{person.DirectoryId}/v2.0",
            Audience = ClientId,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.AddHours(1).UtcDateTime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
        });
    }

    private static (string? ClientId, string? Secret) ClientOf(HttpRequest request, IFormCollection form)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..])).Split(':', 2);
            return (Uri.UnescapeDataString(pair[0]), pair.Length > 1 ? Uri.UnescapeDataString(pair[1]) : null);
        }

        return (form["client_id"], form["client_secret"]);
    }

    /// <summary>The person as they are at the moment the code is issued; later changes apply to the next sign-in.</summary>
    private static DirectoryPerson Snapshot(DirectoryPerson person)
    {
        var copy = new DirectoryPerson(person.DirectoryId, person.Name, person.Email, person.ObjectId) { Methods = person.Methods, AuthenticatedAt = person.AuthenticatedAt };
        copy.Roles.AddRange(person.Roles);
        return copy;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private sealed record PendingCode(DirectoryPerson Person, string RedirectUri, string CodeChallenge, string Nonce, DateTimeOffset IssuedAt);
}
