using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LockboxPortal.Features.AccessRequests;

internal sealed class RequestQuestionConfiguration : IEntityTypeConfiguration<RequestQuestion>
{
    public void Configure(EntityTypeBuilder<RequestQuestion> question)
    {
        question.Property(q => q.Id).ValueGeneratedNever();
        question.Property(q => q.AskerId).HasMaxLength(450);
        question.Property(q => q.AskerName).HasMaxLength(200);
        question.Property(q => q.Text).HasMaxLength(RequestQuestion.TextMaxLength);
        question.Property(q => q.Answer).HasMaxLength(RequestQuestion.TextMaxLength);
        question.Property(q => q.AnswererId).HasMaxLength(450);
        question.Property(q => q.AnswererName).HasMaxLength(200);
        question.Ignore(q => q.IsAnswered);

        // Two answers sent at the same moment: the second finds the question answered, instead of overwriting it.
        question.Property(q => q.AnsweredAt).IsConcurrencyToken();
        question.HasOne<AccessRequest>().WithMany().HasForeignKey(q => q.AccessRequestId).OnDelete(DeleteBehavior.Cascade);
        question.HasIndex(q => new { q.AccessRequestId, q.AskedAt });
    }
}
