using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using LockboxPortal.Features.ApiTokens;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace LockboxPortal.Api;

/// <summary>Limits per token (per address for callers without one), in a fixed window; <c>Api:RateLimit:*</c> in configuration overrides them.</summary>
public sealed class ApiRateLimitOptions
{
    public int PersonalPermits { get; set; } = 120;

    /// <summary>
    /// The data plane checks before every touch of customer content, so its clients get far more: 600,000 a minute,
    /// 10,000 a second on average, so a busy data plane is limited by the node, not by its token.
    /// </summary>
    public int ServiceClientPermits { get; set; } = 600_000;

    public int WindowSeconds { get; set; } = 60;

    /// <summary>
    /// What one address may spend on calls not yet known to carry a real token (none, a malformed one, or one not
    /// seen to work in the last minutes), however many different tokens it sends: guessing is limited per address.
    /// </summary>
    public int UnverifiedPermitsPerAddress { get; set; } = 60;
}

/// <summary>The REST API: bearer tokens, <c>/api/v1</c> route groups, problem details, rate limits, OpenAPI.</summary>
public static class ApiSetup
{
    public const string RateLimitPolicy = "api-token";

    public static IServiceCollection AddLockboxApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenDefaults.Scheme, null);
        services.AddAuthorization(options => options.AddApiTokenPolicies());
        services.AddProblemDetails(options => options.CustomizeProblemDetails = ApiProblems.Customize);

        // Exactly the contract or a 400: unknown or duplicate keys, other casings, enum numbers and combinations are refused.
        services.ConfigureHttpJsonOptions(options => StrictJson.Apply(options.SerializerOptions));

        var limits = configuration.GetSection("Api:RateLimit").Get<ApiRateLimitOptions>() ?? new ApiRateLimitOptions();
        services.AddSingleton<RecentlyAuthenticatedTokens>();

        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                UnverifiedPartitionOf(context) is { } address
                    ? RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = limits.UnverifiedPermitsPerAddress,
                        Window = TimeSpan.FromSeconds(limits.WindowSeconds),
                        QueueLimit = 0,
                    })
                    : RateLimitPartition.GetNoLimiter(""));
            options.AddPolicy(RateLimitPolicy, context =>
            {
                var (key, isClient) = RateLimitPartitionOf(context);
                return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = isClient ? limits.ServiceClientPermits : limits.PersonalPermits,
                    Window = TimeSpan.FromSeconds(limits.WindowSeconds),
                    QueueLimit = 0,
                });
            });
            options.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(limits.WindowSeconds);
                context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                var problems = context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Type = ApiProblems.TypeFor("rate-limited"),
                        Title = "Too many requests.",
                        Detail = "Too many calls from this token (or, without a token known to work, from this address); wait for the time in Retry-After.",
                    },
                });
            };
        });

        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "LockboxPortal API";
                document.Info.Description = "Customer lockbox: file and decide access requests, check access, fetch grant tokens. "
                    + "Authenticate with a personal API token or a service client token: Authorization: Bearer <token>.";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[ApiTokenDefaults.Scheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "A personal API token (lbxp_...) or a service client token (lbxc_...).",
                };
                document.Security ??= [];
                document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiTokenDefaults.Scheme, document)] = [] });
                return Task.CompletedTask;
            });
            // The strict enum converter is the API's own, so the document is told what it reads: one of the names.
            options.AddSchemaTransformer((schema, context, _) =>
            {
                var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
                if (type.IsEnum)
                {
                    schema.Type = JsonSchemaType.String;
                    schema.Enum = Enum.GetNames(type).Select(n => (System.Text.Json.Nodes.JsonNode)JsonNamingPolicy.CamelCase.ConvertName(n)).ToList();
                }

                return Task.CompletedTask;
            });
            options.ShouldInclude = description => description.RelativePath is { } path && (path.StartsWith("api/", StringComparison.Ordinal) || path.StartsWith(".well-known/", StringComparison.Ordinal));
        });
        return services;
    }

    /// <summary>
    /// The limiter runs before authentication (Program.cs), so a flood costs no database look-up. A caller with a token in
    /// the portal's shape is limited by the token, read as the handler reads it and hashed, so no secret is held as a key;
    /// a caller without one (no header, another scheme, a malformed token) by its address.
    /// </summary>
    public static (string Key, bool IsServiceClient) RateLimitPartitionOf(HttpContext context) =>
        BearerToken.Read(context.Request.Headers.Authorization.ToString()) is { } secret && BearerToken.HasTokenShape(secret)
            ? ("token:" + SecretToken.Hash(secret), secret.StartsWith(ApiToken.ClientPrefix, StringComparison.Ordinal))
            : ("address:" + context.Connection.RemoteIpAddress, false);

    /// <summary>
    /// The address an API call is counted against when it does not carry a token known to work (see
    /// <see cref="RecentlyAuthenticatedTokens"/>); null for a known token and for everything outside the API.
    /// </summary>
    public static string? UnverifiedPartitionOf(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/api"))
        {
            return null;
        }

        var known = BearerToken.Read(context.Request.Headers.Authorization.ToString()) is { } secret && BearerToken.HasTokenShape(secret)
            && context.RequestServices.GetRequiredService<RecentlyAuthenticatedTokens>().IsKnown(SecretToken.Hash(secret));
        return known ? null : "unverified:" + context.Connection.RemoteIpAddress;
    }

    public static WebApplication MapLockboxApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1")
            .RequireRateLimiting(RateLimitPolicy)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .DisableAntiforgery();
        api.MapRequestsApi();
        api.MapEmergenciesApi();
        api.MapTenantsApi();
        api.MapAccessChecksApi();
        api.MapGrantEventsApi();
        api.MapGrantActivityApi();
        app.MapJwks();
        app.MapAuditApi();

        // Anything else under /api is a problem response, not the portal's sign-in redirect or not-found page.
        app.MapFallback("/api/{**path}", () => TypedResults.Problem("There is nothing here.", statusCode: StatusCodes.Status404NotFound, type: ApiProblems.TypeFor("not-found")))
            .AllowAnonymous().ExcludeFromDescription();

        // The benchmark's baseline (bench/README.md): the same app and pipeline, no work. Off unless asked for.
        if (app.Configuration.GetValue<bool>("Bench:BareEndpoint"))
        {
            app.MapGet("/bench/bare", () => TypedResults.Ok(new { Allowed = true })).AllowAnonymous().ExcludeFromDescription();
        }

        app.MapOpenApi().AllowAnonymous();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference().AllowAnonymous();
        }

        return app;
    }
}
