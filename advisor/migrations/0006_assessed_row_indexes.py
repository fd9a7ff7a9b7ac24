"""Indexes of the assessment rows: the foreign keys a constraint or index already leads
with lose their own, and each subject link gets a partial index of the rows that have it
(one in three), so that recording 4,500 subjects updates two indexes a row, not five."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('advisor', '0005_drop_assessment_documents'),
        ('orgs', '0002_default_title_patterns'),
    ]

    operations = [
        migrations.AlterField(
            model_name='assessedfinding',
            name='assessment',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='findings', to='advisor.assessment'),
        ),
        migrations.AlterField(
            model_name='assessedfinding',
            name='subject',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='findings', to='advisor.assessedsubject'),
        ),
        migrations.AlterField(
            model_name='assessedsubject',
            name='assessment',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='subjects', to='advisor.assessment'),
        ),
        migrations.AlterField(
            model_name='assessedsubject',
            name='person',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='orgs.person'),
        ),
        migrations.AlterField(
            model_name='assessedsubject',
            name='product',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='orgs.product'),
        ),
        migrations.AlterField(
            model_name='assessedsubject',
            name='squad',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='orgs.squad'),
        ),
        migrations.AddIndex(
            model_name='assessedsubject',
            index=models.Index(condition=models.Q(('product__isnull', False)), fields=['product'], name='assessed_product'),
        ),
        migrations.AddIndex(
            model_name='assessedsubject',
            index=models.Index(condition=models.Q(('person__isnull', False)), fields=['person'], name='assessed_person'),
        ),
        migrations.AddIndex(
            model_name='assessedsubject',
            index=models.Index(condition=models.Q(('squad__isnull', False)), fields=['squad'], name='assessed_squad'),
        ),
    ]
