"""The one owner of stored analysis documents: declared shapes, validation, reading, disclosure control.

Every metric declares the shape of what it stores (`shapes`); a document is validated against those declarations
(`validate`), read for people through them (`read`), and every figure that leaves an authority's office passes
through the one disclosure function (`disclosure`). Nothing else reads a document's keys.
"""
