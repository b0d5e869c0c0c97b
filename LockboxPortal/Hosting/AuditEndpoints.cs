using System.Text;
using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;

namespace LockboxPortal.Hosting;

/// <summary>
/// Downloads for the audit page: <c>GET /audit/export</c> streams the filtered chain, <c>GET /audit/verify</c>
/// returns the verification result as JSON. Both go through <see cref="AuditService"/>, which authorizes the
/// chain from storage and records the attempt; the policy here only turns away people who read no chain at all.
/// </summary>
public static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapLockboxAudit(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/audit").RequireAuthorization(Policies.AuditReader);

        group.MapGet("/export", async (HttpContext context, AuditService audit, string? chain, string? format,
            DateTimeOffset? from, DateTimeOffset? to, AuditEventType? eventType, string? actor, string? reference) =>
        {
            if (!AuditChainInfo.TryParseKey(chain, out var tenantId))
            {
                return Problem("Name the chain: chain=provider or chain=<tenant id>.");
            }

            if (!Enum.TryParse<AuditExportFormat>(format ?? "json", ignoreCase: true, out var exportFormat))
            {
                return Problem("Choose format=json or format=csv.");
            }

            var query = new AuditQuery(tenantId) { From = from, To = to, EventType = eventType, Actor = actor, RequestReference = reference };
            return await RefusedOrAsync(async () =>
            {
                var job = await audit.StartExportAsync(context.User, query, exportFormat, AccountEndpoints.ClientOf(context), context.RequestAborted);
                return new ExportResult(job);
            });
        });

        group.MapGet("/verify", async (HttpContext context, AuditService audit, string? chain) =>
        {
            if (!AuditChainInfo.TryParseKey(chain, out var tenantId))
            {
                return Problem("Name the chain: chain=provider or chain=<tenant id>.");
            }

            return await RefusedOrAsync(async () =>
            {
                var result = await audit.VerifyAsync(context.User, tenantId, AccountEndpoints.ClientOf(context), context.RequestAborted);
                return TypedResults.Ok(new
                {
                    Chain = chain,
                    result.IsIntact,
                    result.EntryCount,
                    BrokenAt = result.Break?.Sequence,
                    Kind = result.Break?.Kind.ToString(),
                    Result = result.ToString(),
                });
            });
        });

        return endpoints;
    }

    private static IResult Problem(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest);

    private static async Task<IResult> RefusedOrAsync(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (NotFoundException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status404NotFound, type: ex.Code);
        }
        catch (ForbiddenException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status403Forbidden, type: ex.Code);
        }
    }

    /// <summary>Streams the export straight to the response, without buffering the chain.</summary>
    private sealed class ExportResult(AuditExportJob job) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.ContentType = $"{job.ContentType}; charset=utf-8";
            httpContext.Response.Headers.ContentDisposition = $"attachment; filename=\"{job.FileName}\"";
            await using var writer = new StreamWriter(httpContext.Response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024, leaveOpen: true);
            await job.WriteAsync(writer, httpContext.RequestAborted);
        }
    }
}
