import { Module } from '@nestjs/common';
import { criteriaCatalogProvider } from './criteria-catalog.provider';
import { TermCodeCatalogService } from './term-code-catalog.service';
import { TerminologyHttpController } from './terminology.http.controller';

/** The criteria catalog: loaded once at start, searched over HTTP, asked about the term codes of submitted queries. */
@Module({
  controllers: [TerminologyHttpController],
  providers: [criteriaCatalogProvider, TermCodeCatalogService],
  exports: [TermCodeCatalogService],
})
export class TerminologyModule {}
